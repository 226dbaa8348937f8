/**
 * Who is calling: a user by bearer API key (hashed in the ledger) or by the studio's session cookie
 * (src/security/session-token.ts), or the operator by the admin key.
 *
 * A session names the API key it was opened with; every request checks that key is still active, so
 * revoking a key signs its sessions out. A cookie is sent by the browser on its own, so requests
 * authenticated by it that change something (POST, DELETE…) must come from our own origin: another
 * site's page is refused with 403 (SameSite=Lax already keeps the cookie off most cross-site requests;
 * this check covers the rest: same-site subdomains, older browsers). Bearer requests are unaffected.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Ledger } from '../ledger/index.js';
import type { SessionTokens } from '../security/session-token.js';
import { HttpProblem, unauthorized } from './problem.js';

export interface AuthedUser {
  id: string;
  name: string;
}

/** How the caller proved who they are, and with which API key. */
export interface Credential {
  via: 'bearer' | 'session';
  keyId: string;
  /** Sessions only: when the cookie stops working. */
  expiresAt?: Date;
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: AuthedUser;
    credential?: Credential;
    /** A session cookie was sent but is expired, forged or its key revoked (for a clearer 401). */
    staleSession?: boolean;
    /** identifyCaller looked at the request's credentials: the guard need not look the key up again. */
    identified?: boolean;
  }
}

export const SESSION_COOKIE = 'veo_session';

export interface SessionSettings {
  tokens: SessionTokens;
  ttlSeconds: number;
  /** PUBLIC_BASE_URL: its origin is accepted alongside the request's own, https means Secure cookies. */
  publicBaseUrl?: string | undefined;
}

export function bearer(req: Request): string | null {
  const header = req.get('authorization');
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
}

/** The value of one cookie of the request, or null. */
export function cookie(req: Request, name: string): string | null {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/**
 * Identifies the caller once, before the rate limiter (which counts per valid key) and the routes'
 * auth guard (which then needs no second lookup). Never refuses: that is the guard's job. A bearer
 * header, when sent, is the only credential considered (a wrong key does not fall back to a cookie).
 */
export function identifyCaller(ledger: Ledger, sessions: SessionSettings): RequestHandler {
  return async (req, _res, next) => {
    req.identified = true;
    const key = bearer(req);
    if (key) {
      const found = await ledger.authenticateApiKey(key);
      if (found) {
        req.user = { id: found.user.id, name: found.user.name };
        req.credential = { via: 'bearer', keyId: found.keyId };
      }
      return next();
    }
    const token = cookie(req, SESSION_COOKIE);
    if (!token) return next();
    const claims = sessions.tokens.verify(token);
    const user = claims ? await ledger.findUserByActiveApiKeyId(claims.keyId) : null;
    if (claims && user) {
      req.user = { id: user.id, name: user.name };
      req.credential = { via: 'session', keyId: claims.keyId, expiresAt: claims.expiresAt };
    } else {
      req.staleSession = true;
    }
    next();
  };
}

export function userAuth(ledger: Ledger, sessions: SessionSettings): RequestHandler {
  return async (req, _res, next) => {
    if (req.user) {
      if (req.credential?.via === 'session') assertSameOrigin(req, sessions.publicBaseUrl);
      return next();
    }
    if (req.staleSession && !bearer(req))
      throw unauthorized(
        'Your session has expired, was signed out, or its API key was revoked: sign in again.',
      );
    const key = bearer(req);
    if (!key) throw unauthorized();
    // Already looked up (and not found) by identifyCaller: one query per request, not two.
    const found = req.identified ? null : await ledger.authenticateApiKey(key);
    if (!found) throw unauthorized('Unknown or revoked API key.');
    req.user = { id: found.user.id, name: found.user.name };
    req.credential = { via: 'bearer', keyId: found.keyId };
    next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses (403) a state-changing request that a browser says comes from another origin. Allowed:
 * the request's own origin (scheme and Host, as the trusted proxy reports them) and PUBLIC_BASE_URL's.
 * Without an Origin header, Sec-Fetch-Site decides; with neither, the client is not a browser
 * following a link of another site, and is let through.
 */
export function assertSameOrigin(req: Request, publicBaseUrl: string | undefined): void {
  if (SAFE_METHODS.has(req.method)) return;
  const origin = req.get('origin');
  if (origin !== undefined) {
    const allowed = [`${req.protocol}://${req.host}`, publicBaseUrl ? new URL(publicBaseUrl).origin : null];
    if (allowed.includes(origin)) return;
    throw crossSite(`Origin ${origin} is not this API's origin.`);
  }
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw crossSite(`Sec-Fetch-Site is ${site}.`);
  }
}

function crossSite(why: string): HttpProblem {
  return new HttpProblem(
    403,
    'Forbidden',
    `Cross-site request refused: ${why} Requests signed in with the session cookie must come from this site's own pages; other clients send Authorization: Bearer <key>.`,
  );
}

/** Sets (or, with null, clears) the session cookie. */
export function setSessionCookie(
  req: Request,
  res: Response,
  sessions: SessionSettings,
  session: { token: string } | null,
): void {
  const secure = req.secure || sessions.publicBaseUrl?.startsWith('https:') === true;
  const attributes = [
    `${SESSION_COOKIE}=${session?.token ?? ''}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${session ? sessions.ttlSeconds : 0}`,
    ...(secure ? ['Secure'] : []),
  ];
  res.append('set-cookie', attributes.join('; '));
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
