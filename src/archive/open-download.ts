/**
 * Opens the HTTP response for a download, following redirects by hand so that every hop — not only
 * the first URL — is checked against the allow-list before anything connects to it: a KIE URL that
 * redirects to an internal address is refused, not fetched.
 */
import { ArchiveError } from './archive-error.js';
import { hostAllowed, hostOf } from './host-allow-list.js';

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface OpenedDownload {
  res: Response;
  /** Where the bytes actually come from, after redirects. */
  finalUrl: string;
}

export async function openDownload(
  url: string,
  opts: { allowedHosts: readonly string[]; signal: AbortSignal },
): Promise<OpenedDownload> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (!hostAllowed(current, opts.allowedHosts)) {
      const where = hop === 0 ? '' : ' (reached by a redirect)';
      throw new ArchiveError(
        'host_not_allowed',
        `Refusing to download from ${hostOf(current)}${where}: not an allowed host.`,
      );
    }
    let res: Response;
    try {
      res = await fetch(current, {
        redirect: 'manual',
        signal: opts.signal,
        // Content-Length must count the bytes we receive, so no transparent decompression.
        headers: { 'accept-encoding': 'identity' },
      });
    } catch (err) {
      // An abort (idle timeout, cancellation) is the signal's reason; the caller reports it as such.
      if (opts.signal.aborted) throw opts.signal.reason;
      throw new ArchiveError('network', `Could not reach ${hostOf(current)}: ${describeFetchError(err)}`, {
        cause: err,
      });
    }
    const location = res.headers.get('location');
    if (!REDIRECT_STATUSES.has(res.status) || !location) return { res, finalUrl: current };
    await discardBody(res);
    current = new URL(location, current).toString();
  }
  throw new ArchiveError('http', `More than ${MAX_REDIRECTS} redirects from ${hostOf(url)}.`, {
    retryable: false,
  });
}

/** Frees the connection of a response we will not read. */
export async function discardBody(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

/** undici's fetch says "fetch failed" and puts the useful part (ECONNREFUSED, ENOTFOUND…) in `cause`. */
export function describeFetchError(err: unknown): string {
  const e = err as (Error & { cause?: Error & { code?: string } }) | null;
  const cause = e?.cause;
  return cause ? `${cause.code ?? cause.message}` : (e?.message ?? String(err));
}
