/**
 * Migration 2 — the database itself enforces what the ledger code promises, so neither a bug nor a
 * hand-typed statement can break it: entries are append-only, grants carry their idempotency key,
 * job states are the workflow's states. Also counts open holds on the user row, so the concurrency
 * cap reads one locked row instead of scanning the user's history.
 */
import type { Migration } from './migration.js';

export const ledgerGuards: Migration = {
  id: 2,
  name: 'append-only entries, open hold counter, state check',
  sql: `
create function credit_entries_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'credit_entries is append-only: % refused', tg_op using errcode = 'integrity_constraint_violation';
end
$$;
create trigger credit_entries_no_update_delete before update or delete on credit_entries
  for each row execute function credit_entries_append_only();
create trigger credit_entries_no_truncate before truncate on credit_entries
  for each statement execute function credit_entries_append_only();

alter table credit_entries add constraint credit_entries_grant_has_key
  check (kind <> 'grant' or idempotency_key is not null);

alter table users add column open_holds integer not null default 0;
update users u set open_holds = (
  select count(*) from credit_entries h
  where h.user_id = u.id and h.kind = 'hold'
    and not exists (select 1 from credit_entries s where s.job_id = h.job_id and s.kind in ('capture', 'release')));
-- Holds have a positive amount: no held credits exactly when no open holds.
alter table users add constraint users_open_holds_consistent check (open_holds >= 0 and (open_holds = 0) = (held = 0));

-- The daily cap sums one user's holds since midnight.
create index credit_entries_user_holds on credit_entries (user_id, created_at) where kind = 'hold';

alter table jobs add constraint jobs_state_known check (state in (
  'reserving', 'submitting', 'generating', 'fetching_hd', 'archiving',
  'succeeded', 'rejected', 'failed', 'canceled', 'timed_out'));
alter table jobs add constraint jobs_price_not_negative check (price >= 0);
`,
};
