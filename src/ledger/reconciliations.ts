/**
 * What the reconciler reads and records (its settlements go through job-settlement.ts): the jobs and
 * holds that may have lost their workflow, and its figures for /metrics.
 */
import type { Db } from '../db/index.js';
import { JOB_COLUMNS, toJobRecord, type JobRow } from './job-rows.js';
import type { ReconcileCandidate, ReconcileKind, ReconcilerStats } from './types.js';

export function createReconciliationStore(db: Db, clock: () => Date) {
  return {
    /**
     * Oldest first, at most `limit`: unfinished job records, then open holds of users with open holds
     * that have no job record at all (a hold placed by a caller that died before recording the job).
     */
    async reconcileCandidates(limit: number): Promise<ReconcileCandidate[]> {
      const jobs = await db.query<JobRow>(
        `select ${JOB_COLUMNS} from jobs where finished_at is null order by created_at limit $1`,
        [limit],
      );
      const holds = await db.query<{ job_id: string; created_at: Date }>(
        `select h.job_id, h.created_at from users u
         join credit_entries h on h.user_id = u.id and h.kind = 'hold'
         where u.open_holds > 0
           and not exists (select 1 from jobs j where j.id = h.job_id)
           and not exists (select 1 from credit_entries s where s.job_id = h.job_id and s.part = h.part and s.kind in ('capture', 'release'))
         order by h.created_at limit $1`,
        [limit],
      );
      return [
        ...jobs.map((r) => {
          const job = toJobRecord(r);
          return { jobId: job.id, job, since: job.createdAt };
        }),
        ...holds.map((h) => ({ jobId: h.job_id, job: null, since: new Date(h.created_at) })),
      ];
    },

    async recordSweep(): Promise<void> {
      await db.query(
        `insert into reconciler_sweeps (id, last_at, sweeps) values (1, $1, 1)
         on conflict (id) do update set last_at = excluded.last_at, sweeps = reconciler_sweeps.sweeps + 1`,
        [clock()],
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
