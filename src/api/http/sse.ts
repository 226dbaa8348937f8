/**
 * Server-sent events that follow a value: the current one at once, then one event per change, until
 * the value is final (then an `end` event), the client goes away, the stream's lifetime runs out, or a
 * read fails. Every event carries an id: a client that reconnects (EventSource does so by itself when
 * a stream ends without `end`) sends the last one as `Last-Event-ID`, and the new stream sends the
 * current value with the next id and goes on from there.
 */
import type { Request, Response } from 'express';
import type { PollListener } from './shared-poller.js';

export interface FollowOptions<T> {
  /** The current value: read before the headers go out, so a 404 is still a plain problem+json. */
  first: T;
  /** Listens to later reads of the value; returns the unsubscribe. */
  subscribe: (listener: PollListener<T>) => () => void;
  /** What makes two values different enough to send (repeats are not sent). */
  fingerprint: (value: T) => string;
  /** The last value: sent, then an `end` event with `end(value)`, then the stream closes. */
  isFinal: (value: T) => boolean;
  end: (value: T) => unknown;
  /** The `event:` name of each value. */
  event: string;
  /** The stream is ended after this long; the client reconnects and resumes. */
  maxLifeMs: number;
  /** How long EventSource waits before it reconnects (the `retry:` field). */
  retryMs?: number;
  /** A failed read: the stream ends (the client reconnects); this reports why. */
  onError: (err: unknown) => void;
}

/** The id to continue after: `Last-Event-ID` when it is one of ours (a decimal), else 0. */
export function lastEventId(req: Request): number {
  const header = req.get('last-event-id')?.trim();
  return header && /^\d{1,15}$/.test(header) ? Number(header) : 0;
}

/** Streams the value's changes; resolves when the stream has ended, whoever ended it. */
export function followEvents<T>(req: Request, res: Response, opts: FollowOptions<T>): Promise<void> {
  return new Promise<void>((resolve) => {
    let id = lastEventId(req);
    let last: string | undefined;
    let ended = false;
    let unsubscribe = () => {};

    const finish = (final?: { value: T }) => {
      if (ended) return;
      ended = true;
      clearTimeout(lifetime);
      unsubscribe();
      if (final && !res.destroyed)
        res.write(`event: end\ndata: ${JSON.stringify(opts.end(final.value))}\n\n`);
      // Also after an error: the response must end, or the client waits on an open stream forever.
      res.end();
      resolve();
    };
    const send = (value: T) => {
      const fingerprint = opts.fingerprint(value);
      if (fingerprint !== last) {
        last = fingerprint;
        res.write(`id: ${++id}\nevent: ${opts.event}\ndata: ${JSON.stringify(value)}\n\n`);
      }
      if (opts.isFinal(value)) finish({ value });
    };

    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write(`retry: ${opts.retryMs ?? 1000}\n\n`);
    const lifetime = setTimeout(() => finish(), opts.maxLifeMs);
    res.on('close', () => finish());
    send(opts.first);
    if (ended) return;
    unsubscribe = opts.subscribe((outcome) => {
      if ('error' in outcome) {
        opts.onError(outcome.error);
        finish();
      } else send(outcome.value);
    });
  });
}
