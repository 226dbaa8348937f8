/**
 * One root secret, several keys: each use (session cookies, signed content URLs, sealing customers'
 * webhook signing secrets) gets its own key,
 * derived with HKDF-SHA256 under a purpose label, so a MAC made for one use never verifies as another
 * and the root secret itself signs nothing.
 */
import { hkdfSync } from 'node:crypto';

export type KeyPurpose = 'session-cookie' | 'content-url' | 'sealed-secrets';

export function deriveKey(rootSecret: string, purpose: KeyPurpose): Buffer {
  if (!rootSecret) throw new Error(`cannot derive the ${purpose} key from an empty secret`);
  return Buffer.from(hkdfSync('sha256', rootSecret, 'veo-pipeline', `veo-pipeline ${purpose} v1`, 32));
}
