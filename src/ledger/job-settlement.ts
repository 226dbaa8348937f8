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
  holdAllowedSql,
  insertHoldIn,
  lockedUserSql,
  lockUser,
  refusalFor,
  reserveIn,
  settleIn,
} from './credit-operations.js';
import { MissingHoldError } from './errors.js';
import { JOB_COLUMNS, NEW_JOB_COLUMNS, patchUnfinishedJob, toJobRecord, type JobRow } from './job-rows.js';
import {
  idempotencyConflictOf,
  insertJobIn,
  JOB_INSERT_COLUMNS,
  JOB_INSERT_VALUES,
  jobInsertParams,
} from './jobs.js';
import type { JobPatch, JobRecord, NewJob, ReconcileKind, ReserveResult, Settlement } from './types.js';

/** A create's outcome: the hold's decision, the job as recorded, and whether it notifies a default URL. */
export interface NewJobReservation {
  reservation: ReserveResult;
  job: JobRecord;
  webhookDefault: boolean;
}

const COMPENSATED_STATES: readonly JobState[] = ['failed', 'canceled', 'timed_out'];

export function createJobSettlement(db: Db, clock: () => Date) {
  /**
   * Job row + hold, atomically. A new job that nothing refuses (the usual case, on every API create)
   * takes the short way: one statement (newJobHeld). Otherwise one transaction decides: a refusal is
   * recorded with the job, a replay goes through reserveIn's checks.
   */
  async function reserveAndRecord(
    { job, amount }: { job: NewJob; amount: number },
    now: Date,
  ): Promise<NewJobReservation> {
    assertCredits('reserve amount', amount);
    if (job.price !== undefined && job.price !== amount) {
      throw new RangeError(`job ${job.id}: price ${job.price} differs from the amount to hold ${amount}`);
    }
    // Held by the API for a paced workflow, the job starts `queued` (src/services/video-jobs.ts).
    const newJob = { ...job, price: amount, state: job.state === 'queued' ? 'queued' : 'reserving' } as const;
    const held = await newJobHeld(newJob, now);
    if (held) return { reservation: { ok: true, replay: false }, ...held };
    return db.transaction(async (tx) => {
      // The user lock first, as every credit movement does: one lock order, no deadlocks, and two
      // replays of this job cannot interleave between the insert and the hold.
      const user = await lockUser(tx, job.userId);
      const stored = await insertJobIn(tx, newJob, now);
      const args = { jobId: job.id, userId: job.userId, amount, now };
      let reservation: ReserveResult;
      if (stored.inserted) {
        const refusal = await refusalFor(tx, user, args);
        if (!refusal) await insertHoldIn(tx, { ...args, part: 'main' });
        reservation = refusal ?? { ok: true, replay: false };
      } else {
        reservation = await reserveIn(tx, args);
      }
      const webhookDefault = user.webhook_default;
      if (reservation.ok) return { reservation, job: stored.job, webhookDefault };
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
      return { reservation, job: rejected ? toJobRecord(rejected) : stored.job, webhookDefault };
    });
  }

  /**
   * A new job and its hold in one statement, which is atomic on its own: no BEGIN and COMMIT, one
   * round trip instead of five (on PGlite each costs about as much as the work it does; bench:starts
   * measured it). It locks the user as lockUser does, and inserts only where holdAllowedSql finds
   * nothing to refuse; on a server, a concurrent create of the same user waits for the lock and then
   * checks the row as that one left it. Null when it changed nothing: the id exists (a replay), a
   * refusal to record, a daily cap to sum, an unknown user — the transaction deals with those.
   */
  async function newJobHeld(
    job: NewJob & { price: number },
    now: Date,
  ): Promise<{ job: JobRecord; webhookDefault: boolean } | null> {
    try {
      const [row] = await db.query<JobRow & { webhook_default: boolean }>(
        `with u as (${lockedUserSql('$2')}),
         job as (
           insert into jobs (${JOB_INSERT_COLUMNS})
           select ${JOB_INSERT_VALUES} from u where ${holdAllowedSql('$6')}
           on conflict (id) do nothing
           returning ${NEW_JOB_COLUMNS}),
         hold as (
           insert into credit_entries (user_id, kind, amount, job_id, part, created_at)
           select $2, 'hold', $6, id, 'main', $9 from job
           returning job_id),
         totals as (
           update users set held = held + $6, open_holds = open_holds + 1 from hold where users.id = $2)
         select job.*, u.webhook_default from job, u`,
        jobInsertParams(job, now),
      );
      return row ? { job: toJobRecord(row), webhookDefault: row.webhook_default } : null;
    } catch (err) {
      throw idempotencyConflictOf(err, job);
    }
  }

  return {
    async reserveAndRecordJob(args: { job: NewJob; amount: number }): Promise<ReserveResult> {
      return (await reserveAndRecord(args, clock())).reservation;
    },

    /**
     * reserveAndRecordJob, answering the job's record too (the API's create: no second read), and
     * whether the user has a default webhook URL, read under the same lock.
     */
    async reserveAndRecordJobWithRecord(args: { job: NewJob; amount: number }): Promise<NewJobReservation> {
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
