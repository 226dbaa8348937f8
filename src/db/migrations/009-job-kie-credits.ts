/**
 * Migration 9 — what each job costs us at KIE (KIE_PRICES at the time it was accepted), next to what
 * it charged the user: the admin spend report sums both per model (src/ledger/spend-report.ts).
 */
import type { Migration } from './migration.js';

export const jobKieCredits: Migration = {
  id: 9,
  name: "Jobs: KIE's credits per job",
  sql: `alter table jobs add column kie_credits integer check (kie_credits >= 0);`,
};
