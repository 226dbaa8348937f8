/** Server-sent events that follow something by polling it. */
import type { Request, Response } from 'express';

export interface FollowOptions<T> {
  /** The first value: read before the headers go out, so a 404 is still a plain problem+json. */
  first: T;
  /** Reads the current value. */
  read: () => Promise<T>;
  /** What makes two values different enough to send (repeats are not sent). */
  fingerprint: (value: T) => string;
  /** The last value: sent, then an `end` event with `end(value)`, then the stream closes. */
  isFinal: (value: T) => boolean;
  end: (value: T) => unknown;
  /** The `event:` name of each value. */
  event: string;
  pollMs?: number;
}

/** Streams one event per change until the value is final or the client goes away. */
export async function followEvents<T>(req: Request, res: Response, opts: FollowOptions<T>): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  let closed = false;
  req.on('close', () => (closed = true));
  let value = opts.first;
  let last: string | undefined;
  let id = 0;
  for (;;) {
    const fingerprint = opts.fingerprint(value);
    if (fingerprint !== last) {
      last = fingerprint;
      res.write(`id: ${++id}\nevent: ${opts.event}\ndata: ${JSON.stringify(value)}\n\n`);
    }
    if (opts.isFinal(value) || closed) break;
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
    value = await opts.read();
  }
  if (!closed) res.write(`event: end\ndata: ${JSON.stringify(opts.end(value))}\n\n`);
  res.end();
}
