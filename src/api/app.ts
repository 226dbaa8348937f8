/**
 * The HTTP app, built by a factory so tests mount it in-process (DESIGN §7.9). Routes hold paths and
 * schemas; services hold the logic; one error middleware renders problem+json.
 */
import express, { type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { pinoHttp } from 'pino-http';
import { randomUUID, createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Prices } from '../config.js';
import type { Ledger } from '../ledger/index.js';
import type { Metrics } from '../observability/metrics.js';
import type { VideoStorage } from '../storage/index.js';
import type { Timing } from '../workflows/job-types.js';
import { adminAuth, bearer, identifyCaller, userAuth } from './auth.js';
import { problemHandler, notFound } from './problem.js';
import { REFERENCE_ASSETS_PATH, referenceAssets } from './reference-ui.js';
import { mountRoutes, type AnyRoute, type Auth } from './route.js';
import { adminRoutes } from './routes/admin.js';
import { compatRoutes } from './routes/compat.js';
import { creditRoutes } from './routes/credits.js';
import { docsRoutes } from './routes/docs.js';
import { healthRoutes } from './routes/health.js';
import { modelRoutes } from './routes/models.js';
import { videoRoutes } from './routes/videos.js';
import { webhookRoutes } from './routes/webhooks.js';
import { createVideoService } from '../services/videos.js';
import { studioAssets, studioRoutes } from '../studio/routes.js';

export interface ApiDeps {
  temporal: Client;
  taskQueue: string;
  ledger: Ledger;
  storage: VideoStorage;
  logger: Logger;
  metrics: Metrics;
  prices: Prices;
  webhookSecret: string;
  kieHmacKey?: string | undefined;
  adminApiKey?: string | undefined;
  timing?: Partial<Timing> | undefined;
  userDefaults: { concurrencyCap?: number | undefined; dailySpendCap?: number | undefined };
  readiness: { db(): Promise<void>; temporal(): Promise<void> };
  /** Requests per minute per API key (or per IP without one). */
  rateLimitPerMinute?: number;
}

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const id = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      // The callback token lives in the query string: log the path only.
      serializers: {
        req: (req: { method: string; url: string; id: unknown }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    }),
  );
  app.use(countRequests(deps.metrics));
  app.use(express.json({ limit: '64kb' }));

  const services = { videos: createVideoService(deps) };
  const guards: Record<Auth, RequestHandler> = {
    none: (_req, _res, next) => next(),
    user: userAuth(deps.ledger),
    admin: adminAuth(deps.adminApiKey),
  };
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: deps.rateLimitPerMinute ?? 600,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Per valid API key (hashed, never kept in clear); anything else — no key, a wrong one — counts
    // against the client address, so guessing keys does not buy a fresh budget per guess.
    keyGenerator: (req) => {
      const key = bearer(req);
      return req.user && key
        ? `key:${createHash('sha256').update(key).digest('hex')}`
        : ipKeyGenerator(req.ip ?? '0.0.0.0');
    },
    handler: (_req, res) => {
      res.status(429).type('application/problem+json').json({
        type: 'about:blank',
        title: 'Too Many Requests',
        status: 429,
        detail: 'Rate limit exceeded for this API key; retry after the time in RateLimit-Reset.',
      });
    },
  });
  app.use(['/v1', '/api'], identifyCaller(deps.ledger), limiter);

  const routes: AnyRoute[] = [
    ...healthRoutes(deps),
    ...videoRoutes(services.videos),
    ...creditRoutes(deps),
    ...modelRoutes(deps),
    ...adminRoutes(deps),
    ...compatRoutes(services.videos),
    ...webhookRoutes(deps),
    ...studioRoutes(),
  ];
  const all = [...routes, ...docsRoutes(routes)];
  const router = express.Router();
  mountRoutes(router, all, guards);
  app.use(router);
  app.use(REFERENCE_ASSETS_PATH, referenceAssets());
  app.use('/studio', studioAssets());
  app.use((_req, _res, next) => next(notFound('Route')));
  app.use(problemHandler(deps.logger));
  return app;
}

function countRequests(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
