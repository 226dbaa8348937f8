/**
 * Signed content URLs: an HMAC-SHA256 over the job id, the file's variant and an expiry, so a
 * `<video src>` can play one file of one job, for a while, without sending a key. A signature covers
 * nothing else: not another variant, not another job, not a later expiry.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = 'valid' | 'expired' | 'invalid';

const SIG = /^[A-Za-z0-9_-]{43}$/;

export function createContentSignatures(key: Buffer, clock: () => Date = () => new Date()) {
  const mac = (jobId: string, variant: string, expires: number) =>
    createHmac('sha256', key).update(`${jobId}\n${variant}\n${expires}`).digest();
  return {
    /** `expires`: unix seconds. */
    sign(jobId: string, variant: string, expires: number): string {
      return mac(jobId, variant, expires).toString('base64url');
    },

    check(jobId: string, variant: string, expires: string, sig: string): SignatureCheck {
      if (!/^\d{1,12}$/.test(expires) || !SIG.test(sig)) return 'invalid';
      const given = Buffer.from(sig, 'base64url');
      const expected = mac(jobId, variant, Number(expires));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
      return Number(expires) * 1000 > clock().getTime() ? 'valid' : 'expired';
    },
  };
}

export type ContentSignatures = ReturnType<typeof createContentSignatures>;
