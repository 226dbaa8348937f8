/**
 * The content route's guard: a signed link (from a job view's `url`) stands in for the user's key, so
 * `<video src>` plays without headers. With `sig`, the signature alone decides — valid, or a 403 that
 * says whether it expired or does not match; without it, the usual user auth.
 */
import type { Request, RequestHandler } from 'express';
import type { ContentSignatures } from '../security/content-signature.js';
import { HttpProblem } from './problem.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The job a valid signed link grants one file of (set by signedUrlOrUserAuth). */
    signedJobId?: string;
  }
}

export function signedUrlOrUserAuth(signatures: ContentSignatures, userAuth: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const { sig, expires, variant } = req.query as Record<string, unknown>;
    if (sig === undefined && expires === undefined) return userAuth(req, res, next);
    const jobId = String(req.params.id ?? '');
    const check = signatures.check(
      jobId,
      typeof variant === 'string' ? variant : 'original',
      typeof expires === 'string' ? expires : '',
      typeof sig === 'string' ? sig : '',
    );
    if (check === 'expired') {
      throw linkProblem(
        `This link expired at ${new Date(Number(expires) * 1000).toISOString()}; get the job again for a fresh one.`,
      );
    }
    if (check === 'invalid') {
      throw linkProblem('This link is not valid: its signature does not match its job, variant and expiry.');
    }
    req.signedJobId = jobId;
    next();
  };
}

function linkProblem(detail: string) {
  return new HttpProblem(403, 'Forbidden', detail, { errors: [{ field: 'sig', message: detail }] });
}

export function signedJob(req: Request): string | null {
  return req.signedJobId ?? null;
}
