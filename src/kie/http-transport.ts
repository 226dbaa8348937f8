/**
 * One HTTP exchange with KIE, built on node:http(s) rather than fetch because the pipeline needs to
 * know *whether the request reached KIE* when no answer comes back: fetch reports a timeout the same
 * way whether it struck while connecting or after the body was sent. Here `requestSent` is true once
 * the whole request has been handed to the OS (the request's 'finish' event) — from then on KIE may
 * have acted on it — and false for failures before that (refused, DNS, connect timeout).
 *
 * Connections: calls that create paid work use a fresh connection each time. A pooled keep-alive
 * socket the server has just closed makes a request fail with ECONNRESET after it was written —
 * indistinguishable from KIE dying mid-request — and for a submit that would be an ambiguous,
 * unretryable failure for no reason. Reads use the keep-alive pool and are repeated once when that
 * stale-socket race hits them (Node's documented remedy for idempotent requests).
 */
import http from 'node:http';
import https from 'node:https';

/** KIE's JSON replies are tiny; anything larger is not KIE talking. */
const MAX_REPLY_BYTES = 1024 * 1024;

export interface HttpReply {
  status: number;
  statusText: string;
  text: string;
}

export class TransportFailure extends Error {
  override readonly name = 'TransportFailure';
  constructor(
    /** Short description; never contains headers or the URL's credentials. */
    readonly reason: string,
    readonly requestSent: boolean,
    /** A reply arrived but was unusable (too large); its HTTP status. */
    readonly httpStatus: number | null = null,
  ) {
    super(reason);
  }
}

export interface HttpRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Repeating it is harmless: pooled connection, one silent retry on a stale socket. */
  idempotent: boolean;
}

export async function sendHttpRequest(req: HttpRequest): Promise<HttpReply> {
  try {
    return await exchange(req);
  } catch (err) {
    if (err instanceof StaleSocket && req.idempotent) return exchange(req);
    throw err instanceof StaleSocket ? new TransportFailure(err.message, true) : err;
  }
}

/** A reused keep-alive socket that the server had already closed. */
class StaleSocket extends Error {}

function exchange(r: HttpRequest): Promise<HttpReply> {
  const lib = r.url.protocol === 'https:' ? https : http;
  const body = r.body === undefined ? undefined : Buffer.from(r.body);
  // One deadline for the whole exchange, connect to last byte; Node aborts the request when it fires.
  const signal = AbortSignal.timeout(r.timeoutMs);
  return new Promise<HttpReply>((resolve, reject) => {
    let settled = false;
    let sent = false;
    let answered = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    const fail = (reason: string, httpStatus: number | null = null) => {
      const why = signal.aborted
        ? `no complete answer within ${r.timeoutMs} ms${sent ? '' : ' (request not sent)'}`
        : reason;
      settle(() => reject(new TransportFailure(why, sent, httpStatus)));
    };

    const req = lib.request(r.url, {
      method: r.method,
      headers: { ...r.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      signal,
      // A one-off connection (no keep-alive) for non-idempotent calls; the global keep-alive pool otherwise.
      ...(r.idempotent ? {} : { agent: false }),
    });

    req.on('finish', () => {
      sent = true;
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!answered && !signal.aborted && req.reusedSocket && err.code === 'ECONNRESET') {
        return settle(() => reject(new StaleSocket('connection reset on a reused socket')));
      }
      fail(`network error (${err.code ?? err.message})`);
    });
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_REPLY_BYTES) {
          fail(`reply larger than ${MAX_REPLY_BYTES} bytes`, res.statusCode ?? null);
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err: NodeJS.ErrnoException) =>
        fail(`connection lost while reading the reply (${err.code ?? err.message})`),
      );
      res.on('aborted', () => fail('connection lost while reading the reply'));
      res.on('end', () =>
        settle(() =>
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        ),
      );
    });
    req.end(body);
  });
}
