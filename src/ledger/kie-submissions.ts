/**
 * KIE's generation limit, kept by us across every worker (docs/architecture.md#kie-pacing): a sliding
 * window over the generate calls we let through, counted in the database every worker shares, on
 * the database's clock. KIE answers 429 beyond its limit; pacing here means we never ask for that.
 *
 * Each call gets a row before it is sent and its outcome after (with the task id when accepted). A job
 * that asks again while a row of its own has no outcome is a job whose earlier call was cut off
 * mid-flight (the worker died): KIE may have made — and charged for — a task we never heard of, so that
 * job must not submit again. A job that asks again after an accepted call gets that call's task back:
 * Temporal lost the first attempt's result (a server restart, a worker killed before it reported), and
 * a second generate would make KIE generate — and charge — twice.
 */
import type { Db } from '../db/index.js';

export type KieSubmissionOutcome = 'accepted' | 'refused' | 'ambiguous';

export type KieSlot =
  /** Send now; report how it ended with recordKieSubmission(slotId, …). */
  | { kind: 'granted'; slotId: number }
  /** The window is full: the oldest call in it leaves after `waitMs`. */
  | { kind: 'wait'; waitMs: number }
  /** An earlier call of this job never reported back: do not send again. */
  | { kind: 'ambiguous' }
  /** An earlier call of this job was accepted: its task, not a second generation. */
  | { kind: 'accepted'; taskId: string }
  /** The job ended (canceled, reconciled) while it waited: nothing to send. */
  | { kind: 'ended' };

export interface KiePace {
  /** Generate calls allowed per window (KIE's account limit: 20 per 10 s). */
  max: number;
  windowMs: number;
}

/** Rows older than this are only history; they are removed as new calls come. */
const KEEP_MS = 24 * 3600_000;

export function createKieSubmissionStore(db: Db) {
  return {
    async acquireKieSlot(jobId: string, pace: KiePace): Promise<KieSlot> {
      return db.transaction(async (tx) => {
        // One acquirer at a time, cluster-wide: the count and the insert must not interleave.
        await tx.query('lock table kie_submissions in share row exclusive mode');
        const [job] = await tx.query<{ finished: boolean }>(
          'select finished_at is not null as finished from jobs where id = $1',
          [jobId],
        );
        if (job?.finished) return { kind: 'ended' };
        const [accepted] = await tx.query<{ task_id: string }>(
          `select task_id from kie_submissions
            where job_id = $1 and outcome = 'accepted' and task_id is not null order by id desc limit 1`,
          [jobId],
        );
        if (accepted) return { kind: 'accepted', taskId: accepted.task_id };
        const [cutOff] = await tx.query<{ id: number }>(
          'select id from kie_submissions where job_id = $1 and outcome is null limit 1',
          [jobId],
        );
        if (cutOff) {
          await tx.query(`update kie_submissions set outcome = 'ambiguous' where id = $1`, [cutOff.id]);
          return { kind: 'ambiguous' };
        }
        const [window] = await tx.query<{ n: number; wait_ms: number | null }>(
          `select count(*)::int as n,
                  ceil(extract(epoch from (min(at) + $1 * interval '1 millisecond' - clock_timestamp())) * 1000)::int as wait_ms
             from kie_submissions where at > clock_timestamp() - $1 * interval '1 millisecond'`,
          [pace.windowMs],
        );
        if (window && window.n >= pace.max) {
          return { kind: 'wait', waitMs: Math.max(1, window.wait_ms ?? 1) };
        }
        const [slot] = await tx.query<{ id: number }>(
          'insert into kie_submissions (job_id, at) values ($1, clock_timestamp()) returning id',
          [jobId],
        );
        await tx.query(
          `update jobs set state = 'submitting', updated_at = clock_timestamp() where id = $1 and state = 'queued'`,
          [jobId],
        );
        await tx.query(
          `delete from kie_submissions where at < clock_timestamp() - $1 * interval '1 millisecond'`,
          [KEEP_MS],
        );
        return { kind: 'granted', slotId: slot!.id };
      });
    },

    /** How the call of a granted slot ended; `taskId` when KIE accepted it. */
    async recordKieSubmission(slotId: number, outcome: KieSubmissionOutcome, taskId?: string): Promise<void> {
      await db.query(
        'update kie_submissions set outcome = $2, task_id = $3 where id = $1 and outcome is null',
        [slotId, outcome, taskId ?? null],
      );
    },
  };
}
