/**
 * Migration 8 — KIE's balance watched (docs/operations.md#kie-balance):
 * - `kie_balance`, one row: the last balance the watcher read from KIE (GET /api/v1/chat/credit), when,
 *   the low-water mark it applied, and the last read's error (cleared by the next good read). The
 *   watcher runs in a worker; the API's /metrics and admin API read this row.
 * - `spend_breaker.opened_by`: who opened it, so the watcher closes only what it opened. Breakers
 *   already open keep null (unknown), which nothing closes by itself.
 */
import type { Migration } from './migration.js';

export const kieBalance: Migration = {
  id: 8,
  name: "KIE's balance, who opened the spend breaker",
  sql: `
create table kie_balance (
  id integer primary key check (id = 1),
  -- KIE's credits may be fractional (1234.5).
  credits double precision,
  checked_at timestamptz,
  low_water double precision check (low_water > 0),
  error text,
  error_at timestamptz
);
insert into kie_balance (id) values (1);
alter table spend_breaker add column opened_by text
  check (opened_by in ('operator', 'kie_402', 'kie_balance'));
`,
};
