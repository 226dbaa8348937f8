/**
 * What the reconciler reads and records (its settlements go through job-settlement.ts): the jobs and
 * holds that may have lost their workflow, and its figures for /metrics.
 */
import type { Db } from '../db/index.js';
import { JOB_COLUMNS, toJobRecord, type JobRow } from './job-rows.js';
import type { ReconcileCandidate, ReconcileKind, ReconcilerStats } from './types.js';

/** Where a sweep of unfinished jobs resumes: after this job (creation order), or from the start. */
export type SweepCursor = { createdAt: Date; jobId: string } | null;

export function createReconciliationStore(db: Db, clock: () => Date) {
  return {
    /**
     * The next page of the sweep, at most `limit` unfinished job records in creation order after where
     * the last sweep stopped (from the oldest again once it reached the end), then open holds of users
     * with open holds that have no job record at all (a hold placed by a caller that died before
     * recording the job). `next`: where the following sweep starts, for recordSweep.
     */
    async reconcileCandidates(
      limit: number,
    ): Promise<{ candidates: ReconcileCandidate[]; next: SweepCursor }> {
      const [cursor] = await db.query<{ at: Date | null; id: string | null }>(
        'select cursor_created_at as at, cursor_job_id as id from reconciler_sweeps where id = 1',
      );
      const jobs = await db.query<JobRow>(
        `select ${JOB_COLUMNS} from jobs where finished_at is null
           and ($2::timestamptz is null or (created_at, id) > ($2::timestamptz, $3::text))
         order by created_at, id limit $1`,
        [limit, cursor?.at ?? null, cursor?.id ?? null],
      );
      const last = jobs.at(-1);
      // A full page may have more behind it; a short one reached the end: the next sweep starts over.
      const next: SweepCursor =
        jobs.length === limit && last ? { createdAt: new Date(last.created_at), jobId: last.id } : null;
      const holds = await db.query<{ job_id: string; created_at: Date }>(
        `select h.job_id, h.created_at from users u
         join credit_entries h on h.user_id = u.id and h.kind = 'hold'
         where u.open_holds > 0
           and not exists (select 1 from jobs j where j.id = h.job_id)
           and not exists (select 1 from credit_entries s where s.job_id = h.job_id and s.part = h.part and s.kind in ('capture', 'release'))
         order by h.created_at limit $1`,
        [limit],
      );
      const candidates = [
        ...jobs.map((r) => {
          const job = toJobRecord(r);
          return { jobId: job.id, job, since: job.createdAt };
        }),
        ...holds.map((h) => ({ jobId: h.job_id, job: null, since: new Date(h.created_at) })),
      ];
      return { candidates, next };
    },

    /** A sweep done: its time, and where the next one starts (null: from the oldest job). */
    async recordSweep(next: SweepCursor = null): Promise<void> {
      await db.query(
        `insert into reconciler_sweeps (id, last_at, sweeps, cursor_created_at, cursor_job_id) values (1, $1, 1, $2, $3)
         on conflict (id) do update set last_at = excluded.last_at, sweeps = reconciler_sweeps.sweeps + 1,
           cursor_created_at = excluded.cursor_created_at, cursor_job_id = excluded.cursor_job_id`,
        [clock(), next?.createdAt ?? null, next?.jobId ?? null],
      );
    },

    async reconcilerStats(): Promise<ReconcilerStats> {
      const rows = await db.query<{ kind: ReconcileKind; reason: string; count: number; released: number }>(
        `select kind, reason, count(*)::int8 as count, coalesce(sum(released), 0)::int8 as released
         from reconciliations group by kind, reason order by kind, reason`,
      );
      const [sweep] = await db.query<{ last_at: Date; sweeps: number }>(
        'select last_at, sweeps from reconciler_sweeps where id = 1',
      );
      return {
        reconciled: rows.map((r) => ({
          kind: r.kind,
          reason: r.reason,
          count: Number(r.count),
          released: Number(r.released),
        })),
        lastSweepAt: sweep ? new Date(sweep.last_at) : null,
        sweeps: sweep ? Number(sweep.sweeps) : 0,
      };
    },
  };
}
