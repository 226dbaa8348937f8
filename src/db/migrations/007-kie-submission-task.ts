/**
 * Migration 7 — the task id of an accepted generate call, kept with the call: a worker that dies
 * between KIE's answer and reporting it leaves the id here, and the retry adopts that task instead of
 * asking KIE for a second (paid) generation (src/ledger/kie-submissions.ts).
 */
import type { Migration } from './migration.js';

export const kieSubmissionTask: Migration = {
  id: 7,
  name: 'KIE pacing: the task id of an accepted call',
  sql: `alter table kie_submissions add column kie_task_id text;`,
};
