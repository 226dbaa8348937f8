/**
 * The studio's sign-in session token, carried in an HttpOnly cookie: the id of the API key it was
 * opened with and its expiry, MACed (HMAC-SHA256) with a server key so it can be neither forged nor
 * extended. It holds no secret: auth looks the key id up on every request, so revoking the key ends
 * every session opened with it.
 *
 *   v1.<key id>.<expiry, unix seconds>.<base64url MAC of the first three parts>
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SessionClaims {
  keyId: string;
  expiresAt: Date;
}

const TOKEN = /^v1\.(key_[A-Za-z0-9]{1,64})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export function createSessionTokens(key: Buffer, clock: () => Date = () => new Date()) {
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();
  return {
    issue(keyId: string, ttlSeconds: number): { token: string; expiresAt: Date } {
      const exp = Math.floor(clock().getTime() / 1000) + ttlSeconds;
      const payload = `v1.${keyId}.${exp}`;
      return { token: `${payload}.${mac(payload).toString('base64url')}`, expiresAt: new Date(exp * 1000) };
    },

    /** The claims of a well-formed, authentic, unexpired token; null otherwise. */
    verify(token: string): SessionClaims | null {
      const m = TOKEN.exec(token);
      if (!m) return null;
      const [, keyId, exp, sig] = m as unknown as [string, string, string, string];
      const expected = mac(`v1.${keyId}.${exp}`);
      const given = Buffer.from(sig, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      const expiresAt = new Date(Number(exp) * 1000);
      return expiresAt > clock() ? { keyId, expiresAt } : null;
    },
  };
}

export type SessionTokens = ReturnType<typeof createSessionTokens>;
