/**
 * Opens the HTTP response for a download, following redirects by hand so that every hop — not only
 * the first URL — is checked before anything connects to it. A result URL comes from a third party's
 * answer; without these checks the worker would fetch whatever it is told to (internal services, cloud
 * metadata at 169.254.169.254):
 *
 * - the host must be an allowed one (`allowedHosts`, KIE_DOWNLOAD_HOSTS) and the scheme https;
 * - the address connected to must be public (src/archive/public-address.ts). The check runs inside the
 *   socket's own DNS lookup, so the address checked is the address used: a name that resolves to a
 *   public address when first asked and to a private one when connecting (DNS rebinding) is refused.
 *   IP literals, which are not looked up, are checked before connecting.
 *
 * `localHosts` (KIE_DOWNLOAD_LOCAL_HOSTS; the simulator with `npm start`) are exempt from both rules:
 * http and any address. They are for tests and development, never KIE's own hosts.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { ArchiveError } from './archive-error.js';
import { hostAllowed, hostOf } from './host-allow-list.js';
import { isPublicAddress } from '../security/public-address.js';

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Every address a name resolves to (dns.lookup with `all`, by default). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface DownloadPolicy {
  /** Exact hostnames or `*.example.com` wildcards (KIE's file hosts). */
  allowedHosts: readonly string[];
  /** Hosts reachable over http and at any address: the local simulator in tests and development. */
  localHosts?: readonly string[];
  /** How names are resolved; tests play DNS with it. */
  resolve?: Resolver;
}

export interface OpenedDownload {
  res: IncomingMessage;
  /** Where the bytes actually come from, after redirects. */
  finalUrl: string;
}

/** A name that resolves to an address a download may not reach. */
export class AddressNotAllowedError extends Error {
  override name = 'AddressNotAllowedError';
  readonly code = 'ERR_ADDRESS_NOT_ALLOWED';
}

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

/**
 * A socket `lookup` that connects only to public addresses: every address the name resolves to must be
 * public (one private answer among public ones refuses the name: which one a connection uses is not
 * ours to choose).
 */
export function publicOnlyLookup(resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const addresses =
          options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        const refused = addresses.find((a) => !isPublicAddress(a.address));
        if (refused || addresses.length === 0) {
          const why = refused ? `resolves to ${refused.address}, not a public address` : 'has no address';
          return callback(new AddressNotAllowedError(`${hostname} ${why}.`), '', 0);
        }
        if (options.all) return callback(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

export async function openDownload(
  url: string,
  opts: DownloadPolicy & { signal: AbortSignal },
): Promise<OpenedDownload> {
  const localHosts = opts.localHosts ?? [];
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const where = hop === 0 ? '' : ' (reached by a redirect)';
    const refuse = (why: string) =>
      new ArchiveError('host_not_allowed', `Refusing to download from ${hostOf(current)}${where}: ${why}.`);
    const local = hostAllowed(current, localHosts);
    if (!local && !hostAllowed(current, opts.allowedHosts)) throw refuse('not an allowed host');
    const target = new URL(current);
    if (!local && target.protocol !== 'https:') throw refuse('only https downloads are allowed');
    const literal = target.hostname.replace(/^\[|\]$/g, '');
    if (!local && isIP(literal) && !isPublicAddress(literal)) throw refuse('not a public address');

    let res: IncomingMessage;
    try {
      res = await get(target, {
        signal: opts.signal,
        lookup: local ? lookupWith(opts.resolve ?? systemResolver) : publicOnlyLookup(opts.resolve),
      });
    } catch (err) {
      // An abort (idle timeout, cancellation) is the signal's reason; the caller reports it as such.
      if (opts.signal.aborted) throw opts.signal.reason;
      if (err instanceof AddressNotAllowedError) throw refuse('it resolves to an address that is not public');
      const code = (err as NodeJS.ErrnoException | null)?.code;
      const detail = code && /^[A-Z_]+$/.test(code) ? ` (${code})` : '';
      throw new ArchiveError('network', `Could not reach ${hostOf(current)}${detail}.`, { cause: err });
    }
    const location = res.headers.location;
    if (!REDIRECT_STATUSES.has(res.statusCode ?? 0) || !location) return { res, finalUrl: current };
    discardBody(res);
    current = new URL(location, current).toString();
  }
  throw new ArchiveError('http', `More than ${MAX_REDIRECTS} redirects from ${hostOf(url)}.`, {
    retryable: false,
  });
}

/** One GET, on a connection of its own (no pooled socket that another lookup opened). */
function get(url: URL, opts: { signal: AbortSignal; lookup: LookupFunction }): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).get(url, {
      agent: false,
      signal: opts.signal,
      lookup: opts.lookup,
      // Content-Length must count the bytes we receive, so no compression.
      headers: { 'accept-encoding': 'identity' },
    });
    req.once('response', resolve);
    req.once('error', reject);
  });
}

/** A socket `lookup` over `resolve`, checking nothing (local hosts). */
function lookupWith(resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        if (options.all) return callback(null, addresses);
        const first = addresses[0];
        if (!first)
          return callback(
            Object.assign(new Error(`${hostname} has no address.`), { code: 'ENOTFOUND' }),
            '',
            0,
          );
        callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/** Frees the connection of a response we will not read. */
export function discardBody(res: IncomingMessage): void {
  res.destroy();
}
