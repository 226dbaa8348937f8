/**
 * Request budgets, per minute (RATE_LIMIT_PER_MINUTE):
 *
 * - per valid API key (by its id; a session counts against the key it was opened with);
 * - per client address for everything else — no key, a wrong one — so guessing keys does not buy a
 *   fresh budget per guess. Once an address has spent its budget, a request with a bearer key this
 *   process has not seen valid lately is refused *before* the key is looked up: a flood of made-up
 *   keys costs no database query per request. Keys seen valid within the window skip that check (their
 *   lookup still decides), so one noisy client does not lock out everyone behind the same address;
 * - `/admin`: failed admin authentications per client address; past the budget every admin request
 *   from that address is refused, the right key too (else a refusal would tell a wrong guess from a
 *   right one).
 */
import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { bearer } from './auth.js';

const WINDOW_MS = 60_000;
/** Keys remembered as valid, at most (the oldest are forgotten first). */
const KNOWN_KEYS_MAX = 10_000;

const addressOf = (req: Request) => ipKeyGenerator(req.ip ?? '0.0.0.0');
const digest = (key: string) => createHash('sha256').update(key).digest('base64');

function tooMany(res: Response, detail: string, retryAfterSeconds?: number): void {
  if (retryAfterSeconds !== undefined) res.setHeader('retry-after', String(retryAfterSeconds));
  res.status(429).type('application/problem+json').json({
    type: 'about:blank',
    title: 'Too Many Requests',
    status: 429,
    detail,
  });
}

/** Digests of keys seen valid lately, each forgotten after the window. */
function recentKeys() {
  const seen = new Map<string, number>();
  return {
    has(d: string): boolean {
      const until = seen.get(d);
      if (until === undefined) return false;
      if (until > Date.now()) return true;
      seen.delete(d);
      return false;
    },
    add(d: string): void {
      seen.delete(d);
      seen.set(d, Date.now() + WINDOW_MS);
      if (seen.size > KNOWN_KEYS_MAX) seen.delete(seen.keys().next().value!);
    },
  };
}

export function createRateLimits(limit: number) {
  const perCaller = rateLimit({
    windowMs: WINDOW_MS,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => (req.credential ? `key:${req.credential.keyId}` : addressOf(req)),
    handler: (req, res) =>
      tooMany(
        res,
        req.credential
          ? 'Rate limit exceeded for this API key; retry after the time in RateLimit-Reset.'
          : 'Rate limit exceeded for this address; retry after the time in RateLimit-Reset.',
      ),
  });
  const known = recentKeys();

  /** Before identifyCaller: an unknown bearer key from an address past its budget is not looked up. */
  const beforeLookup: RequestHandler = async (req, res, next) => {
    const key = bearer(req);
    if (!key || known.has(digest(key))) return next();
    const spent = await perCaller.getKey(addressOf(req));
    if (spent && spent.totalHits >= limit) {
      const retryAfter = spent.resetTime
        ? Math.max(1, Math.ceil((spent.resetTime.getTime() - Date.now()) / 1000))
        : 60;
      return tooMany(
        res,
        'Too many requests without a valid API key from this address; retry after the time in Retry-After.',
        retryAfter,
      );
    }
    next();
  };

  /** After identifyCaller: remembers a valid key, then counts the request against its budget. */
  const remember: RequestHandler = (req, _res, next) => {
    const key = bearer(req);
    if (key && req.credential?.via === 'bearer') known.add(digest(key));
    next();
  };

  const admin = rateLimit({
    windowMs: WINDOW_MS,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: addressOf,
    // Only failed authentications count (a request is counted, then taken back once it is answered
    // with anything but 401): an operator's script is not throttled, a key guesser is.
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    handler: (_req, res) =>
      tooMany(
        res,
        'Too many failed admin authentications from this address; retry after the time in RateLimit-Reset.',
      ),
  });

  return { beforeLookup, afterLookup: [remember, perCaller], admin };
}
