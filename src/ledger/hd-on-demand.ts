/**
 * An on-demand 1080p: the 1080p of a video that succeeded without one asked for (the seed app's
 * `GET /api/jobs/veo/:taskId/1080p`). Its price is a second part of the job's credits (`hd`, see
 * migration 4): held when asked for, captured when the file is archived, released when KIE refuses or
 * it cannot be had. Each step is one transaction that moves the credits and the job record together
 * (hd_state pending → ready | unavailable), and each is safe to replay: the record's hd state and the
 * part's single hold and settlement slot make a repeat change nothing.
 */
import type { Db } from '../db/index.js';
import { isMarketRequest, type ArchivedFile, type JobRequest } from '../domain/index.js';
import type { HdReservation } from '../workflows/job-types.js';
import { lockUser, insertHoldIn, refusalFor, settleIn } from './credit-operations.js';
import { JobConflictError } from './errors.js';
import { setOnDemandHdIn } from './job-rows.js';
import type { Settlement } from './types.js';

/** The aspect ratio whose videos KIE upgrades on demand (the seed app's 1080p is 16:9 only). */
export const ON_DEMAND_HD_ASPECT_RATIO = '16:9';

interface JobFacts {
  user_id: string;
  state: string;
  request: JobRequest;
  hd_state: string | null;
}

/** Why this job cannot have an on-demand 1080p, or null when it can. */
export function onDemandHdIneligibility(job: { state: string; request: JobRequest }): string | null {
  if (isMarketRequest(job.request))
    return `${job.request.model} is not a Veo model; 1080p versions are Veo's`;
  if (job.request.hd) return 'the job asked for its 1080p at creation';
  if (job.state !== 'succeeded') return `the job is ${job.state}, not succeeded`;
  if (job.request.aspectRatio !== ON_DEMAND_HD_ASPECT_RATIO)
    return `the video is ${job.request.aspectRatio}; a 1080p is made on demand for 16:9 videos only`;
  return null;
}

export function createHdOnDemandSettlement(db: Db, clock: () => Date) {
  return {
    /** Holds `amount` (0 = free: nothing held) and marks the job's 1080p pending. */
    async reserveHdOnDemand(args: { jobId: string; userId: string; amount: number }): Promise<HdReservation> {
      const now = clock();
      return db.transaction(async (tx): Promise<HdReservation> => {
        const user = await lockUser(tx, args.userId);
        const [job] = await tx.query<JobFacts>(
          'select user_id, state, request, hd_state from jobs where id = $1',
          [args.jobId],
        );
        if (!job || job.user_id !== args.userId)
          throw new JobConflictError(args.jobId, 'no such job of this user');
        const why = onDemandHdIneligibility(job);
        if (why) return { status: 'ineligible', message: why };
        const hd = job.hd_state ?? 'not_requested';
        if (hd === 'pending') return { status: 'held', replay: true };
        if (hd !== 'not_requested') return { status: 'settled', hd: hd as 'ready' | 'unavailable' };
        if (args.amount > 0) {
          const refusal = await refusalFor(tx, user, { ...args, now }, { concurrency: false });
          if (refusal) return { status: 'refused', reason: refusal.reason, message: refusal.message };
          await insertHoldIn(tx, { ...args, part: 'hd', note: 'on-demand 1080p', now });
        }
        await setOnDemandHdIn(tx, args.jobId, { from: 'not_requested', to: 'pending', note: null, now });
        return { status: 'held', replay: false };
      });
    },

    /** Captures the 1080p's hold and adds its file to the job, together. */
    async deliverHdOnDemand(args: { jobId: string; file: ArchivedFile }): Promise<Settlement> {
      if (args.file.variant !== '1080p') throw new RangeError(`not a 1080p file: ${args.file.variant}`);
      const now = clock();
      return db.transaction(async (tx) => {
        const settlement = await settleIn(tx, { jobId: args.jobId, part: 'hd', kind: 'capture', now });
        if (settlement.outcome === 'released')
          throw new JobConflictError(
            args.jobId,
            'its on-demand 1080p was released already; not delivering it',
          );
        const file = args.file;
        await setOnDemandHdIn(tx, args.jobId, { from: 'pending', to: 'ready', note: null, file, now });
        return settlement;
      });
    },

    /** Releases the 1080p's hold and records why there is none; the video itself is untouched. */
    async abandonHdOnDemand(args: { jobId: string; note: string }): Promise<Settlement> {
      const now = clock();
      return db.transaction(async (tx) => {
        const settlement = await settleIn(tx, { jobId: args.jobId, part: 'hd', kind: 'release', now });
        if (settlement.outcome === 'captured') return settlement; // delivered: the file stands
        await setOnDemandHdIn(tx, args.jobId, { from: 'pending', to: 'unavailable', note: args.note, now });
        return settlement;
      });
    },
  };
}
