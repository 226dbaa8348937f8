/** What the HTTP app is built from: given by the runtime, handed to the routes and services. */
import type { VideoServiceDeps } from '../services/videos.js';
import type { EventStreamSettings } from './http/event-streams.js';

/** The video service's dependencies (its content links are built by the app), plus the HTTP layer's own. */
export interface ApiDeps extends Omit<VideoServiceDeps, 'links'> {
  webhookSecret: string;
  /**
   * Root of the session-cookie and content-URL keys (SESSION_SECRET); absent = WEBHOOK_SECRET. Each use
   * gets its own HKDF-derived key (src/security/derived-keys.ts). All API replicas must share it.
   */
  sessionSecret?: string | undefined;
  /** PUBLIC_BASE_URL: an allowed Origin for cookie-authenticated requests; https = Secure cookies. */
  publicBaseUrl?: string | undefined;
  /** How long a session cookie works (default 24 h). */
  sessionTtlSeconds?: number | undefined;
  /** How long a content link in a job view works, at least (default 1 h). */
  contentUrlTtlSeconds?: number | undefined;
  /** S3 only: serve presigned content URLs through this CDN origin. */
  contentCdnBaseUrl?: string | undefined;
  kieHmacKey?: string | undefined;
  adminApiKey?: string | undefined;
  userDefaults: { concurrencyCap?: number | undefined; dailySpendCap?: number | undefined };
  readiness: { db(): Promise<void>; temporal(): Promise<void> };
  /** Requests per minute per API key (or per IP without one). */
  rateLimitPerMinute?: number;
  /** Event streams: per-user cap, longest life, poll period (defaults: DEFAULT_EVENT_STREAMS). */
  eventStreams?: Partial<EventStreamSettings> | undefined;
}
