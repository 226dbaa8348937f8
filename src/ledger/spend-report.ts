/**
 * What each model earned and cost: per model, the jobs, the credits users were charged (captures)
 * and the KIE credits spent on them: each job's KIE_PRICES figure, counted once KIE took its task,
 * except when KIE itself failed the generation (KIE does not charge those). The operator's margin
 * at a glance (GET /admin/spend).
 */
import type { Db } from '../db/index.js';

export interface ModelSpend {
  model: string;
  jobs: number;
  succeeded: number;
  /** Credits captured from users for this model's jobs. */
  charged: number;
  /** KIE credits its jobs cost us (jobs recorded before KIE prices were kept count 0). */
  kieCredits: number;
}

interface SpendRow {
  model: string;
  jobs: number;
  succeeded: number;
  charged: string | number;
  kie_credits: string | number;
}

export function createSpendReport(db: Db) {
  return {
    async spendByModel(): Promise<ModelSpend[]> {
      const rows = await db.query<SpendRow>(
        `select j.model,
                count(*)::int as jobs,
                count(*) filter (where j.state = 'succeeded')::int as succeeded,
                coalesce(sum(c.amount), 0)::int8 as charged,
                coalesce(sum(j.kie_credits) filter (
                  where j.kie_task_id is not null
                    and not (j.state = 'failed' and j.error->>'source' = 'kie')), 0)::int8 as kie_credits
           from jobs j
           left join (select job_id, sum(amount) as amount from credit_entries
                       where kind = 'capture' group by job_id) c on c.job_id = j.id
          group by j.model
          order by j.model`,
      );
      return rows.map((r) => ({
        model: r.model,
        jobs: r.jobs,
        succeeded: r.succeeded,
        charged: Number(r.charged),
        kieCredits: Number(r.kie_credits),
      }));
    },
  };
}
