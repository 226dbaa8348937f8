/**
 * Migration 4 — a job's credits may come in parts: `main` (the video, held when the job starts) and
 * `hd` (a 1080p fetched on demand after the job succeeded, held when asked for and captured only when
 * delivered). Each part of a job has its own hold and its own capture-or-release slot; existing
 * entries are all `main`. Adding a column with a default rewrites no row, so the append-only trigger
 * does not fire.
 */
import type { Migration } from './migration.js';

export const creditParts: Migration = {
  id: 4,
  name: 'credit entries: per-job parts (main, on-demand hd)',
  sql: `
alter table credit_entries add column part text not null default 'main';
alter table credit_entries add constraint credit_entries_part_known check (part in ('main', 'hd'));
alter table credit_entries add constraint credit_entries_grant_main check (kind <> 'grant' or part = 'main');

drop index credit_entries_job_kind;
create unique index credit_entries_job_part_kind on credit_entries (job_id, part, kind) where job_id is not null;
drop index credit_entries_one_settlement;
-- At most one of capture/release per part of a job: both share one "settlement" slot.
create unique index credit_entries_one_settlement on credit_entries (job_id, part) where kind in ('capture', 'release');
`,
};
