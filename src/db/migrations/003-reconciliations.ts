/**
 * Migration 3 — the reconciler's record (docs/operations.md): one row per job or hold it settled
 * because no workflow could any more (written in the release's transaction, so exactly once), and
 * when its last sweep ran. The API's /metrics reads both: the sweep runs in a worker, which may have
 * no HTTP port to scrape.
 */
import type { Migration } from './migration.js';

export const reconciliations: Migration = {
  id: 3,
  name: 'reconciler: reconciliations, last sweep',
  sql: `
create table reconciliations (
  job_id text primary key,
  -- job: a record that was not final, its workflow closed; hold: credits held with no workflow to settle them.
  kind text not null check (kind in ('job', 'hold')),
  reason text not null,
  released integer not null check (released >= 0),
  created_at timestamptz not null default now()
);
create table reconciler_sweeps (
  id integer primary key check (id = 1),
  last_at timestamptz not null,
  sweeps bigint not null
);
-- The sweep looks at unfinished jobs only.
create index jobs_unfinished on jobs (created_at) where finished_at is null;
`,
};
