/** Bearer API keys: users (hashed in the ledger) and the operator's admin key. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Ledger } from '../ledger/index.js';
import { HttpProblem, unauthorized } from './problem.js';

export interface AuthedUser {
  id: string;
  name: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: AuthedUser;
  }
}

export function bearer(req: Request): string | null {
  const header = req.get('authorization');
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
}

/**
 * Looks up the caller's API key once, before the rate limiter (which counts per valid key) and the
 * routes' auth guard (which then needs no second lookup). Never refuses: that is the guard's job.
 */
export function identifyCaller(ledger: Ledger): RequestHandler {
  return async (req, _res, next) => {
    const key = bearer(req);
    const user = key ? await ledger.findUserByApiKey(key) : null;
    if (user) req.user = { id: user.id, name: user.name };
    next();
  };
}

export function userAuth(ledger: Ledger): RequestHandler {
  return async (req, _res, next) => {
    if (req.user) return next();
    const key = bearer(req);
    if (!key) throw unauthorized();
    const user = await ledger.findUserByApiKey(key);
    if (!user) throw unauthorized('Unknown or revoked API key.');
    req.user = { id: user.id, name: user.name };
    next();
  };
}

export function adminAuth(adminKey: string | undefined): RequestHandler {
  const expected = adminKey ? digest(adminKey) : null;
  return (req, _res, next) => {
    if (!expected)
      throw new HttpProblem(404, 'Not Found', 'The admin API is disabled (ADMIN_API_KEY is not set).');
    const key = bearer(req);
    // Compare digests: equal length, constant time, whatever the caller sent.
    if (!key || !timingSafeEqual(digest(key), expected)) throw unauthorized('A valid admin key is required.');
    next();
  };
}

export function currentUser(req: Request): AuthedUser {
  if (!req.user) throw unauthorized();
  return req.user;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
