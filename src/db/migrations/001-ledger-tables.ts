/**
 * Migration 1 — users, hashed API keys, the append-only credit ledger, job records, the spend breaker.
 * Applied databases exist: never edit a shipped migration, add the next one.
 */
import type { Migration } from './migration.js';

export const ledgerTables: Migration = {
  id: 1,
  name: 'ledger, users, keys, jobs',
  sql: `
create table users (
  id text primary key,
  name text not null,
  concurrency_cap integer,
  daily_spend_cap integer,
  -- Running totals, kept in the same transaction as the entries they summarise (checked by
  -- checkInvariants): balance = grants - captures, held = open holds.
  balance integer not null default 0,
  held integer not null default 0,
  created_at timestamptz not null default now(),
  check (held >= 0),
  check (balance - held >= 0)
);
create table api_keys (
  id text primary key,
  user_id text not null references users(id),
  key_hash text not null unique,
  prefix text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);
-- Append-only: rows are inserted, never updated or deleted.
create table credit_entries (
  id bigserial primary key,
  user_id text not null references users(id),
  kind text not null check (kind in ('grant', 'hold', 'capture', 'release')),
  amount integer not null check (amount > 0),
  job_id text,
  idempotency_key text,
  note text,
  created_at timestamptz not null default now(),
  check ((kind = 'grant') = (job_id is null))
);
create unique index credit_entries_job_kind on credit_entries (job_id, kind) where job_id is not null;
create unique index credit_entries_grant_key on credit_entries (user_id, idempotency_key) where kind = 'grant';
create index credit_entries_user on credit_entries (user_id, id desc);
-- At most one of capture/release per job: both share one "settlement" slot.
create unique index credit_entries_one_settlement on credit_entries (job_id) where kind in ('capture', 'release');
create table jobs (
  id text primary key,
  user_id text not null references users(id),
  state text not null,
  model text not null,
  request jsonb not null,
  price integer not null,
  kie_task_id text,
  detection_channel text,
  hd_state text,
  files jsonb not null default '[]',
  error jsonb,
  progress jsonb,
  idempotency_key text,
  request_hash text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz
);
create unique index jobs_idempotency on jobs (user_id, idempotency_key) where idempotency_key is not null;
create index jobs_user_created on jobs (user_id, created_at desc, id desc);
create index jobs_kie_task on jobs (kie_task_id) where kie_task_id is not null;
create table spend_breaker (
  id integer primary key check (id = 1),
  open boolean not null,
  reason text,
  opened_at timestamptz
);
insert into spend_breaker (id, open) values (1, false);
`,
};
