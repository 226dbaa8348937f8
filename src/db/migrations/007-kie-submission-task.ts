/**
 * Migration 7 — the task id of an accepted generate call, on its `kie_submissions` row. When Temporal
 * never records the submit activity's completion (the server restarted, the worker died between
 * KIE's answer and reporting it), the activity runs again: it must return the task KIE already made,
 * not ask KIE for a second (paid) generation.
 */
import type { Migration } from './migration.js';

export const kieSubmissionTask: Migration = {
  id: 7,
  name: 'KIE pacing: the task id of an accepted call',
  sql: `
alter table kie_submissions add column task_id text;
`,
};
