/**
 * The HTTP app, built by a factory so tests mount it in-process (docs/architecture.md#http-api). Routes hold paths and
 * schemas; services hold the logic; one error middleware renders problem+json.
 */
import express, { type RequestHandler } from 'express';
import type { Metrics } from '../observability/metrics.js';
import { createContentSignatures } from '../security/content-signature.js';
import { deriveKey } from '../security/derived-keys.js';
import { createSessionTokens } from '../security/session-token.js';
import { createContentLinks } from '../services/content-links.js';
import { adminAuth, identifyCaller, userAuth, type SessionSettings } from './auth.js';
import { signedUrlOrUserAuth } from './content-auth.js';
import type { ApiDeps } from './deps.js';
import { createEventStreams, DEFAULT_EVENT_STREAMS } from './http/event-streams.js';
import { requestLog } from './http/request-log.js';
import { problemHandler, notFound } from './problem.js';
import { createRateLimits } from './rate-limits.js';
import { REFERENCE_ASSETS_PATH, referenceAssets } from './reference-ui.js';
import { mountRoutes, type AnyRoute, type Auth, type RouteSpec } from './route.js';
import { adminRoutes } from './routes/admin.js';
import { compatRoutes } from './routes/compat.js';
import { creditRoutes } from './routes/credits.js';
import { docsRoutes } from './routes/docs.js';
import { healthRoutes } from './routes/health.js';
import { modelRoutes } from './routes/models.js';
import { sessionRoutes } from './routes/session.js';
import { contentPath, videoRoutes } from './routes/videos.js';
import { webhookRoutes } from './routes/webhooks.js';
import { createAdminService, type AdminService } from '../services/admin.js';
import { createCreditService, type CreditService } from '../services/credits.js';
import { createVideoService, type VideoService } from '../services/videos.js';
import { studioAssets, studioRoutes } from '../studio/routes.js';

/** The application services the routes call; tests may hand in fakes of any of them. */
export interface ApiServices {
  videos: VideoService;
  admin: AdminService;
  credits: CreditService;
}

/** The app, and the routes it serves (their schemas: for the OpenAPI document and the tests). */
export interface App extends express.Express {
  routes: readonly RouteSpec[];
}

export function createApp(deps: ApiDeps, given: Partial<ApiServices> = {}): App {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestLog(deps.logger));
  app.use(countRequests(deps.metrics));
  app.use(express.json({ limit: '64kb' }));

  const rootSecret = deps.sessionSecret ?? deps.webhookSecret;
  const sessions: SessionSettings = {
    tokens: createSessionTokens(deriveKey(rootSecret, 'session-cookie')),
    ttlSeconds: deps.sessionTtlSeconds ?? 24 * 3600,
    publicBaseUrl: deps.publicBaseUrl,
  };
  const signatures = createContentSignatures(deriveKey(rootSecret, 'content-url'));
  const links = createContentLinks({
    signatures,
    storage: deps.storage,
    ttlSeconds: deps.contentUrlTtlSeconds ?? 3600,
    path: contentPath,
    cdnBaseUrl: deps.contentCdnBaseUrl,
  });
  const services: ApiServices = {
    videos: given.videos ?? createVideoService({ ...deps, links }),
    admin: given.admin ?? createAdminService(deps),
    credits: given.credits ?? createCreditService(deps),
  };
  const user = userAuth(deps.ledger, sessions);
  const guards: Record<Auth, RequestHandler> = {
    none: (_req, _res, next) => next(),
    user,
    userOrSignedUrl: signedUrlOrUserAuth(signatures, user),
    admin: adminAuth(deps.adminApiKey),
  };
  const limits = createRateLimits(deps.rateLimitPerMinute ?? 600);
  app.use(['/v1', '/api'], limits.beforeLookup, identifyCaller(deps.ledger, sessions), limits.afterLookup);
  app.use('/admin', limits.admin);

  const events = createEventStreams({ ...DEFAULT_EVENT_STREAMS, ...deps.eventStreams }, deps.logger);

  const routes: AnyRoute[] = [
    ...healthRoutes(deps),
    ...sessionRoutes(deps.ledger, sessions),
    ...videoRoutes(services.videos, events),
    ...creditRoutes(services.credits),
    ...modelRoutes(deps),
    ...adminRoutes(services.admin),
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
  return Object.assign(app, { routes: all });
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
