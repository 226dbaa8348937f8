/**
 * Each request's id (the caller's `x-request-id`, or a new one, echoed back) and its access-log line
 * ("request completed", or "request aborted" when the connection closed first: method, path without
 * the query — callback tokens live there —, status, response time), written when the log level takes
 * info lines.
 *
 * Why not pino-http: it makes two child loggers per request, serialising the request into each, whether
 * or not a line is ever written; on the create path that was a seventh of the HTTP layer's
 * allocations (105 → 90.5 KiB per `POST`). Here nothing is built for a line the level drops. Lines about a request that went
 * wrong carry its id from the route's own logger (problem.ts).
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../../observability/logger.js';

declare module 'http' {
  interface IncomingMessage {
    /** The request's id: the caller's `x-request-id`, or one made for it. */
    id: string;
  }
}

/** Paths whose requests are not logged: probes and scrapes, many a minute. */
const QUIET_PATHS = new Set(['/healthz', '/metrics']);

export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && given ? given : randomUUID();
    res.setHeader('x-request-id', req.id);
    if (logger.isLevelEnabled('info') && !QUIET_PATHS.has(req.url)) {
      const started = performance.now();
      // 'close' comes after 'finish', or alone when the connection went before the answer did.
      res.once('close', () =>
        logger.info(
          {
            req: { id: req.id, method: req.method, path: req.originalUrl.split('?')[0] },
            res: { statusCode: res.statusCode },
            responseTime: Math.round(performance.now() - started),
          },
          res.writableFinished ? 'request completed' : 'request aborted',
        ),
      );
    }
    next();
  };
}
