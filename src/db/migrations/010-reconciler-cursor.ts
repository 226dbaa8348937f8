/**
 * Migration 10 — where the reconciler's sweep stopped: each sweep looks at the next page of unfinished
 * jobs after the last one it checked, so with more jobs in flight than a sweep takes every one is still
 * looked at in turn, not only the oldest page again and again (src/ledger/reconciliations.ts).
 */
import type { Migration } from './migration.js';

export const reconcilerCursor: Migration = {
  id: 10,
  name: 'reconciler: the sweep cursor',
  sql: `
alter table reconciler_sweeps add column cursor_created_at timestamptz, add column cursor_job_id text;
create index jobs_unfinished_page on jobs (created_at, id) where finished_at is null;
drop index jobs_unfinished;
`,
};
