/**
 * The API's event streams (GET /v1/videos/:id/events): at most `maxPerUser` open per user (429 past
 * that), each ended after `maxLifeMs` (the client resumes with Last-Event-ID), and one poller per
 * followed thing shared by all of its streams.
 */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { HttpProblem } from '../problem.js';
import { followEvents, type FollowOptions } from './sse.js';
import { createSharedPoller, type PollListener } from './shared-poller.js';
import { createStreamSlots } from './stream-slots.js';

export interface EventStreamSettings {
  /** Open streams per user (SSE_MAX_STREAMS_PER_USER). */
  maxPerUser: number;
  /** A stream's longest life (SSE_MAX_STREAM_SECONDS); the client then reconnects and resumes. */
  maxLifeMs: number;
  /** How often a followed thing is read (one read per period, whatever the number of its streams). */
  pollMs: number;
}

export const DEFAULT_EVENT_STREAMS: EventStreamSettings = {
  maxPerUser: 10,
  maxLifeMs: 300_000,
  pollMs: 1_000,
};

export interface FollowSpec<T> extends Pick<
  FollowOptions<T>,
  'first' | 'fingerprint' | 'isFinal' | 'end' | 'event'
> {
  /** Whose stream it is: counts against their cap. */
  owner: string;
  /** What is followed: streams with one key share one poller (and its `read`). */
  key: string;
  read: () => Promise<T>;
}

export function createEventStreams(settings: EventStreamSettings, logger: Logger) {
  const slots = createStreamSlots(settings.maxPerUser);
  const poller = createSharedPoller<unknown>(settings.pollMs);

  return {
    /** Streams `spec`'s value until it is final; 429 (before any byte) when the owner has too many open. */
    async follow<T>(req: Request, res: Response, spec: FollowSpec<T>): Promise<void> {
      const release = slots.take(spec.owner);
      if (!release) {
        throw new HttpProblem(
          429,
          'Too Many Requests',
          `Too many open event streams: at most ${settings.maxPerUser} per user. Close one (another tab, an EventSource you no longer read) and retry.`,
          { limit: settings.maxPerUser },
        );
      }
      try {
        await followEvents(req, res, {
          ...spec,
          subscribe: (listener) => poller.subscribe(spec.key, spec.read, listener as PollListener<unknown>),
          maxLifeMs: settings.maxLifeMs,
          onError: (err) =>
            logger.warn({ err, reqId: req.id, path: req.path }, 'event stream ended: a read failed'),
        });
      } finally {
        release();
      }
    },
    /** Things being polled now. */
    get polling() {
      return poller.polling;
    },
  };
}

export type EventStreams = ReturnType<typeof createEventStreams>;
