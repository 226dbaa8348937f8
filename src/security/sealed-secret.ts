/**
 * Secrets we must read back — a customer's webhook signing secret: we sign with it — are stored
 * sealed, not hashed: AES-256-GCM under a server key (derived from WEBHOOK_SECRET, which API and
 * workers share), with the owner's id as authenticated data. A database dump or backup alone reveals
 * none, and a sealed value copied to another user's row does not open.
 *
 *   v1.<iv>.<ciphertext>.<tag>   (base64url; a fresh 96-bit iv per seal)
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const SEALED = /^v1\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{22})$/;

/** The value does not open with this key for this owner: altered, moved, or sealed under another key. */
export class UnsealError extends Error {
  override name = 'UnsealError';
}

export function createSecretSealer(key: Buffer) {
  if (key.length !== 32) throw new Error('the sealing key must be 32 bytes');
  return {
    seal(plaintext: string, owner: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(owner, 'utf8'));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const b64 = (b: Buffer) => b.toString('base64url');
      return `v1.${b64(iv)}.${b64(data)}.${b64(cipher.getAuthTag())}`;
    },

    open(sealed: string, owner: string): string {
      const m = SEALED.exec(sealed);
      if (!m) throw new UnsealError('not a sealed secret');
      const [iv, data, tag] = m.slice(1).map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAAD(Buffer.from(owner, 'utf8'));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
      } catch {
        // No detail: which check failed tells an attacker nothing useful, and the value is a secret.
        throw new UnsealError('the sealed secret does not open with this server key for this user');
      }
    },
  };
}

export type SecretSealer = ReturnType<typeof createSecretSealer>;
