/**
 * Migration 6 — KIE's generation limit kept by us, across every worker (docs/architecture.md#kie-pacing):
 * - `queued`, the state of a job whose credits are held and that waits for a generation slot;
 * - `kie_submissions`, one row per generate call we let through: when (the database's clock, the one
 *   clock every worker shares) and how it ended. The sliding window counts these rows; a row with no
 *   outcome is a call whose answer was lost (the worker died mid-call), which must not be repeated.
 */
import type { Migration } from './migration.js';

export const kiePacing: Migration = {
  id: 6,
  name: 'KIE pacing: queued state, generate calls',
  sql: `
alter table jobs drop constraint jobs_state_known;
alter table jobs add constraint jobs_state_known check (state in (
  'reserving', 'queued', 'submitting', 'generating', 'fetching_hd', 'archiving',
  'succeeded', 'rejected', 'failed', 'canceled', 'timed_out'));

create table kie_submissions (
  id bigserial primary key,
  job_id text not null,
  at timestamptz not null,
  outcome text check (outcome in ('accepted', 'refused', 'ambiguous'))
);
create index kie_submissions_at on kie_submissions (at);
create index kie_submissions_job on kie_submissions (job_id);
`,
};
