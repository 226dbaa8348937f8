/**
 * The three transactions the workflow's activities run, each tying a credit movement to the job's
 * record so the two can never disagree, and each safe to replay (activities retry):
 * - reserveAndRecordJob: job row + hold; a refusal is recorded as a 'rejected' job, nothing held;
 * - finalizeJob: capture (all of the hold, or less: see settleIn) + the final record ('succeeded');
 * - compensateJob: release + the final record ('failed' | 'canceled' | 'timed_out'); a job canceled after
 *   KIE accepted its task may be charged part of its hold instead (the cancel policy).
 * Exactly one of finalize/compensate takes effect; whichever comes second changes nothing and
 * reports the outcome that stands.
 */
import type { Db } from '../db/index.js';
import type { JobState } from '../domain/index.js';
import {
  assertCredits,
  insertHoldIn,
  lockUser,
  refusalFor,
  reserveIn,
  settleIn,
} from './credit-operations.js';
import { MissingHoldError } from './errors.js';
import { JOB_COLUMNS, patchUnfinishedJob, toJobRecord, type JobRow } from './job-rows.js';
import { insertJobIn } from './jobs.js';
import type { JobPatch, JobRecord, NewJob, ReconcileKind, ReserveResult, Settlement } from './types.js';

const COMPENSATED_STATES: readonly JobState[] = ['failed', 'canceled', 'timed_out'];

export function createJobSettlement(db: Db, clock: () => Date) {
  /**
   * Job row + hold in one transaction. A new job (the usual case, on every API create) takes the
   * short way: its row was just inserted under the user's lock, so no hold of it can exist yet and
   * the refusal checks and the hold follow directly; a replay goes through reserveIn's checks.
   */
  async function reserveAndRecord(
    { job, amount }: { job: NewJob; amount: number },
    now: Date,
  ): Promise<{ reservation: ReserveResult; job: JobRecord }> {
    assertCredits('reserve amount', amount);
    if (job.price !== undefined && job.price !== amount) {
      throw new RangeError(`job ${job.id}: price ${job.price} differs from the amount to hold ${amount}`);
    }
    return db.transaction(async (tx) => {
      // The user lock first, as every credit movement does: one lock order, no deadlocks, and two
      // replays of this job cannot interleave between the insert and the hold.
      const user = await lockUser(tx, job.userId);
      // Held by the API for a paced workflow, the job starts `queued` (src/services/video-jobs.ts).
      const stored = await insertJobIn(
        tx,
        { ...job, price: amount, state: job.state === 'queued' ? 'queued' : 'reserving' },
        now,
      );
      const args = { jobId: job.id, userId: job.userId, amount, now };
      let reservation: ReserveResult;
      if (stored.inserted) {
        const refusal = await refusalFor(tx, user, args);
        if (!refusal) await insertHoldIn(tx, { ...args, part: 'main' });
        reservation = refusal ?? { ok: true, replay: false };
      } else {
        reservation = await reserveIn(tx, args);
      }
      if (reservation.ok) return { reservation, job: stored.job };
      await patchUnfinishedJob(
        tx,
        job.id,
        {
          state: 'rejected',
          error: { source: 'internal', code: reservation.reason, message: reservation.message },
        },
        { now, finish: true },
      );
      const [rejected] = await tx.query<JobRow>(`select ${JOB_COLUMNS} from jobs where id = $1`, [job.id]);
      return { reservation, job: rejected ? toJobRecord(rejected) : stored.job };
    });
  }

  return {
    async reserveAndRecordJob(args: { job: NewJob; amount: number }): Promise<ReserveResult> {
      return (await reserveAndRecord(args, clock())).reservation;
    },

    /** reserveAndRecordJob, answering the job's record too (the API's create: no second read). */
    async reserveAndRecordJobWithRecord(args: {
      job: NewJob;
      amount: number;
    }): Promise<{ reservation: ReserveResult; job: JobRecord }> {
      return reserveAndRecord(args, clock());
    },

    /** `amount`: credits to capture, at most the hold (default all of it); the rest is given back. */
    async finalizeJob({
      jobId,
      patch,
      amount,
    }: {
      jobId: string;
      patch: JobPatch;
      amount?: number | undefined;
    }): Promise<Settlement> {
      if (patch.state !== undefined && patch.state !== 'succeeded') {
        throw new RangeError(
          `finalizeJob captures credits: the final state is 'succeeded', not ${patch.state}`,
        );
      }
      const now = clock();
      return db.transaction(async (tx) => {
        const settlement = await settleIn(tx, { jobId, kind: 'capture', amount, now });
        if (settlement.outcome === 'none') throw new MissingHoldError(jobId);
        // Written with the capture; a replay (or a capture that lost to a release) leaves it alone.
        if (settlement.applied)
          await patchUnfinishedJob(tx, jobId, { ...patch, state: 'succeeded' }, { now, finish: true });
        return settlement;
      });
    },

    /**
     * The end of a job without a video. `charge`: credits still captured (the rest given back) — a job
     * canceled after KIE accepted its task pays for the work KIE charged us for (the cancel policy,
     * docs/architecture.md#cancel-policy); absent or 0, the whole hold is released.
     */
    async compensateJob({
      jobId,
      patch,
      charge,
    }: {
      jobId: string;
      patch: JobPatch & { state: JobState };
      charge?: number | undefined;
    }): Promise<Settlement> {
      assertCompensatedState(patch.state);
      if (charge) {
        assertCredits('cancel charge', charge);
        if (patch.state !== 'canceled' || !patch.kieTaskId) {
          throw new RangeError(
            `job ${jobId}: only a job canceled after KIE accepted its task is charged, not a ${patch.state} one` +
              (patch.kieTaskId ? '' : ' without a KIE task'),
          );
        }
      }
      const now = clock();
      return db.transaction(async (tx) => {
        if (!charge) return (await compensateIn(tx, jobId, patch, now)).settlement;
        const settlement = await settleIn(tx, { jobId, kind: 'capture', amount: charge, now });
        if (settlement.outcome === 'none') throw new MissingHoldError(jobId);
        if (settlement.applied) await patchUnfinishedJob(tx, jobId, patch, { now, finish: true });
        return settlement;
      });
    },

    /**
     * The reconciler's settlement of a job (or a bare hold) no workflow will settle any more: the same
     * release + final record as compensateJob, plus a `reconciliations` row in the same transaction
     * when it changed anything, so each job is counted once however often sweeps retry or overlap.
     */
    async reconcileJob({
      jobId,
      kind,
      reason,
      patch,
    }: {
      jobId: string;
      kind: ReconcileKind;
      reason: string;
      patch: JobPatch & { state: JobState };
    }): Promise<Settlement & { recordChanged: boolean }> {
      assertCompensatedState(patch.state);
      const now = clock();
      return db.transaction(async (tx) => {
        const [hold] = await tx.query<{ amount: number }>(
          `select amount from credit_entries where job_id = $1 and part = 'main' and kind = 'hold'`,
          [jobId],
        );
        const { settlement, recordChanged } = await compensateIn(tx, jobId, patch, now);
        if (settlement.applied || recordChanged) {
          await tx.query(
            `insert into reconciliations (job_id, kind, reason, released, created_at) values ($1, $2, $3, $4, $5)
             on conflict (job_id) do nothing`,
            [jobId, kind, reason, settlement.applied ? (hold?.amount ?? 0) : 0, now],
          );
        }
        return { ...settlement, recordChanged };
      });
    },
  };
}

function assertCompensatedState(state: JobState): void {
  if (!COMPENSATED_STATES.includes(state)) {
    throw new RangeError(
      `compensateJob releases credits: the final state is one of ${COMPENSATED_STATES.join(', ')}, not ${state}`,
    );
  }
}

/** Release + final record, in the caller's transaction. */
async function compensateIn(
  tx: Db,
  jobId: string,
  patch: JobPatch & { state: JobState },
  now: Date,
): Promise<{ settlement: Settlement; recordChanged: boolean }> {
  const settlement = await settleIn(tx, { jobId, kind: 'release', now });
  // Nothing was held (the job failed before its hold, or never reserved): still record how it
  // ended. Already captured: the job succeeded and its record stays as it is.
  const recordChanged =
    settlement.outcome !== 'captured' && (await patchUnfinishedJob(tx, jobId, patch, { now, finish: true }));
  return { settlement, recordChanged };
}
