/**
 * Streams a result file from KIE into storage with flat memory:
 *
 *   HTTP body ──► DownloadVerifier (SHA-256, byte count, size cap, signature, progress) ──► storage.put
 *
 * `storage.put` writes a temporary name and only then makes the key visible, and discards the
 * temporary name when the stream errors, so nothing is left in storage unless every byte arrived
 * and checked out. Errors are `ArchiveError`s classified retryable or permanent for the activity,
 * except a cancellation (the signal's own reason is thrown); storage failures are `storage`.
 */
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream';
import type { VideoStorage } from '../storage/index.js';
import { ArchiveError } from './archive-error.js';
import { DownloadVerifier, type ExpectedMedia, type Progress } from './download-verifier.js';
import { hostOf } from './host-allow-list.js';
import { IdleTimer } from './idle-timer.js';
import { discardBody, openDownload, type Resolver } from './open-download.js';

export interface ArchiveOptions {
  url: string;
  storage: VideoStorage;
  key: string;
  /** Exact hostnames or `*.example.com` wildcards; every redirect hop is checked too. https only. */
  allowedHosts: readonly string[];
  /** Hosts also reachable over http and at non-public addresses: the local simulator (tests, dev). */
  localHosts?: readonly string[];
  /** DNS for the downloads (default: the system's); tests play DNS with it. */
  resolve?: Resolver;
  /** Size cap in bytes: a larger Content-Length fails before reading, a longer body fails when it crosses the cap. */
  maxBytes: number;
  /** Idle timeout, ms: for the response headers, then between two chunks of the body. Default 60 s. */
  timeoutMs?: number;
  /** Called at most once, when the URL answers 403/404/410 (an expired KIE URL): returns a fresh one. */
  refreshUrl?: (expiredUrl: string) => Promise<string>;
  /** At most once a second while bytes flow, plus once at the end. */
  onProgress?: (p: Progress) => void;
  /** Cancellation: the download stops, nothing is stored, and the signal's reason is thrown. */
  signal?: AbortSignal;
  /** What the file must be (its signature is checked): a video (MP4, the default) or an image. */
  expect?: ExpectedMedia;
}

export interface ArchivedObject {
  key: string;
  size: number;
  sha256: string;
  contentType: string;
  /** The URL that was downloaded: `url`, or the fresh one from `refreshUrl` (before redirects). */
  sourceUrl: string;
}

const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** What KIE's file hosts answer for a URL whose signature or lifetime ran out. */
const EXPIRED_STATUSES = new Set([403, 404, 410]);
/** Given to storage before the first byte is seen; the record keeps the type the signature showed. */
const CONTENT_TYPE: Record<ExpectedMedia, string> = { video: 'video/mp4', image: 'application/octet-stream' };

export async function archiveFromUrl(opts: ArchiveOptions): Promise<ArchivedObject> {
  opts.signal?.throwIfAborted();
  let sourceUrl = opts.url;
  let attempt = await request(sourceUrl, opts);
  if (EXPIRED_STATUSES.has(attempt.res.statusCode ?? 0) && opts.refreshUrl) {
    abandon(attempt);
    // Errors from refreshUrl (the KIE client's) go up unchanged: they carry their own classification.
    sourceUrl = await opts.refreshUrl(sourceUrl);
    opts.signal?.throwIfAborted();
    attempt = await request(sourceUrl, opts);
  }
  try {
    return await store(attempt, sourceUrl, opts);
  } finally {
    attempt.idle.stop();
  }
}

interface Attempt {
  res: IncomingMessage;
  idle: IdleTimer;
  signal: AbortSignal;
}

/** One URL: its own idle timer, so time spent in refreshUrl does not count against the next request. */
async function request(url: string, opts: ArchiveOptions): Promise<Attempt> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const idle = new IdleTimer(
    timeoutMs,
    () => new ArchiveError('network', `No data from ${hostOf(url)} for ${timeoutMs} ms.`),
  );
  const signal = opts.signal ? AbortSignal.any([idle.signal, opts.signal]) : idle.signal;
  try {
    const { res } = await openDownload(url, {
      allowedHosts: opts.allowedHosts,
      ...(opts.localHosts ? { localHosts: opts.localHosts } : {}),
      ...(opts.resolve ? { resolve: opts.resolve } : {}),
      signal,
    });
    return { res, idle, signal };
  } catch (err) {
    idle.stop();
    throw cancellationOr(err, opts.signal);
  }
}

function abandon(attempt: Attempt): void {
  attempt.idle.stop();
  discardBody(attempt.res);
}

async function store(attempt: Attempt, sourceUrl: string, opts: ArchiveOptions): Promise<ArchivedObject> {
  const { res, idle } = attempt;
  const host = hostOf(sourceUrl);
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) {
    discardBody(res);
    throw statusError(status, host, Boolean(opts.refreshUrl));
  }
  const expectedBytes = contentLength(res);
  if (expectedBytes !== null && expectedBytes > opts.maxBytes) {
    discardBody(res);
    throw new ArchiveError(
      'too_large',
      `The file at ${host} is ${expectedBytes} bytes; the limit is ${opts.maxBytes}.`,
    );
  }

  idle.touch();
  const verifier = new DownloadVerifier({
    maxBytes: opts.maxBytes,
    expectedBytes,
    onProgress: opts.onProgress,
    onChunk: () => idle.touch(),
    expect: opts.expect,
  });
  const source = res;
  // Only errors of the HTTP body end up here; storage and verifier errors come out of put().
  let bodyError: unknown;
  source.once('error', (err) => (bodyError ??= err));
  // pipeline() rather than pipe(): an error on either side destroys both, so a failed put also
  // closes the connection, and a failed body fails the put.
  pipeline(source, verifier, () => undefined);
  try {
    await opts.storage.put(opts.key, verifier, { contentType: CONTENT_TYPE[opts.expect ?? 'video'] });
  } catch (err) {
    source.destroy();
    throw classifyStreamError(err, bodyError, attempt, opts.signal, host);
  }
  const { size, sha256, contentType } = verifier.result();
  return { key: opts.key, size, sha256, contentType, sourceUrl };
}

function statusError(status: number, host: string, refreshed: boolean): ArchiveError {
  if (EXPIRED_STATUSES.has(status)) {
    const after = refreshed ? ', also after asking for a fresh URL' : '';
    return new ArchiveError(
      'expired',
      `The file URL at ${host} answered HTTP ${status}${after}: expired or gone.`,
    );
  }
  // 5xx, 429 (rate limited) and 408 (request timeout) are the host's momentary trouble; other
  // answers (400, 401, 3xx without Location…) would be the same next time.
  const retryable = status >= 500 || status === 429 || status === 408;
  return new ArchiveError('http', `The file URL at ${host} answered HTTP ${status}.`, { retryable });
}

/** Content-Length when it counts the bytes we will read: not with a Content-Encoding, which changes the length. */
function contentLength(res: IncomingMessage): number | null {
  const encoding = res.headers['content-encoding'];
  if (encoding && encoding.toLowerCase() !== 'identity') return null;
  const header = res.headers['content-length'];
  return header !== undefined && /^\d+$/.test(header.trim()) ? Number(header) : null;
}

function classifyStreamError(
  err: unknown,
  bodyError: unknown,
  attempt: Attempt,
  caller: AbortSignal | undefined,
  host: string,
): unknown {
  if (caller?.aborted) return caller.reason;
  if (err instanceof ArchiveError) return err;
  if (attempt.signal.aborted) return attempt.signal.reason;
  // The body failed after the headers: reset, closed early, or shorter than Content-Length
  // (Node reports the latter as "aborted"). Another attempt may well get the whole file.
  if (bodyError !== undefined) {
    return new ArchiveError('truncated', `The download from ${host} was cut short.`, { cause: bodyError });
  }
  // Storage failures (disk full, a path that cannot be written, S3 refused) are not the download's:
  // another attempt may succeed, and their text (paths, S3's messages) stays in the cause.
  return new ArchiveError('storage', 'The file could not be stored.', { cause: err, retryable: true });
}

function cancellationOr(err: unknown, caller: AbortSignal | undefined): unknown {
  return caller?.aborted ? caller.reason : err;
}
