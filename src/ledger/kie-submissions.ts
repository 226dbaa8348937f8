/**
 * KIE's generation limit, kept by us across every worker (docs/architecture.md#kie-pacing): a sliding
 * window over the generate calls we let through, counted in the database every worker shares, on
 * the database's clock. KIE answers 429 beyond its limit; pacing here means we never ask for that.
 *
 * Each call gets a row before it is sent and its outcome after (with the task id when KIE accepted).
 * A job asks again only when its activity is retried. Then its earlier rows decide: an accepted call
 * (its worker died before reporting) gives that task back — KIE made it once, it is adopted; a call
 * with no outcome (cut off mid-flight) or an ambiguous one means KIE may have made — and charged for
 * — a task we never heard of, so that job must not submit again; only refused calls may be repeated.
 */
import type { Db } from '../db/index.js';

export type KieSubmissionOutcome = 'accepted' | 'refused' | 'ambiguous';

export type KieSlot =
  /** Send now; report how it ended with recordKieSubmission(slotId, …). */
  | { kind: 'granted'; slotId: number }
  /** The window is full: the oldest call in it leaves after `waitMs`. */
  | { kind: 'wait'; waitMs: number }
  /** An earlier call of this job was accepted by KIE (its worker died before reporting): use its task. */
  | { kind: 'accepted'; taskId: string }
  /** An earlier call of this job never reported back, or its outcome is unknown: do not send again. */
  | { kind: 'ambiguous' }
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
        const [sent] = await tx.query<{
          id: number;
          outcome: KieSubmissionOutcome | null;
          kie_task_id: string | null;
        }>(
          `select id, outcome, kie_task_id from kie_submissions
            where job_id = $1 and outcome is distinct from 'refused' order by id limit 1`,
          [jobId],
        );
        if (sent?.outcome === 'accepted' && sent.kie_task_id)
          return { kind: 'accepted', taskId: sent.kie_task_id };
        if (sent) {
          if (sent.outcome === null)
            await tx.query(`update kie_submissions set outcome = 'ambiguous' where id = $1`, [sent.id]);
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

    /** How a granted call ended; `taskId` with 'accepted'. The first report stands. */
    async recordKieSubmission(slotId: number, outcome: KieSubmissionOutcome, taskId?: string): Promise<void> {
      await db.query(
        'update kie_submissions set outcome = $2, kie_task_id = $3 where id = $1 and outcome is null',
        [slotId, outcome, taskId ?? null],
      );
    },
  };
}
