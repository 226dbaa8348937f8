/** The jobs table ↔ JobRecord, and the one place that writes job columns from a patch. */
import type { Db } from '../db/index.js';
import type { JobState, VeoModel } from '../domain/index.js';
import type { JobPatch, JobRecord } from './types.js';

export interface JobRow {
  id: string;
  user_id: string;
  state: JobState;
  model: VeoModel;
  request: JobRecord['request'];
  price: number;
  charged: number | null;
  kie_task_id: string | null;
  detection_channel: string | null;
  hd_state: string | null;
  files: JobRecord['files'] | null;
  error: JobRecord['error'];
  progress: JobRecord['progress'];
  idempotency_key: string | null;
  request_hash: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

/** `charged` comes from the job's capture entry (the ledger is the record of what was paid). */
export const JOB_COLUMNS =
  'id, user_id, state, model, request, price, kie_task_id, detection_channel, hd_state, files, error, progress, ' +
  'idempotency_key, request_hash, created_at, updated_at, finished_at, ' +
  "(select c.amount from credit_entries c where c.job_id = jobs.id and c.kind = 'capture') as charged";

export const toJobRecord = (r: JobRow): JobRecord => ({
  id: r.id,
  userId: r.user_id,
  state: r.state,
  model: r.model,
  request: r.request,
  price: r.price,
  charged: r.charged,
  kieTaskId: r.kie_task_id,
  detectionChannel: r.detection_channel,
  hdState: r.hd_state,
  files: r.files ?? [],
  error: r.error,
  progress: r.progress,
  idempotencyKey: r.idempotency_key,
  requestHash: r.request_hash,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  finishedAt: r.finished_at ? new Date(r.finished_at) : null,
});

const COLUMN_OF: Record<keyof JobPatch, string> = {
  state: 'state',
  kieTaskId: 'kie_task_id',
  detectionChannel: 'detection_channel',
  hdState: 'hd_state',
  files: 'files',
  error: 'error',
  progress: 'progress',
};
// Serialised by hand: pg would turn a JS array into a Postgres array, not JSON.
const JSON_COLUMNS = new Set(['files', 'error', 'progress']);

/**
 * Applies `patch` to a job that has not finished yet; `finish` also stamps finished_at. A finished
 * job's record is final: a late or replayed write (say, a timed-out activity attempt that was still
 * running) must not overwrite it. Returns whether a row changed.
 */
export async function patchUnfinishedJob(
  db: Db,
  id: string,
  patch: JobPatch,
  opts: { now: Date; finish: boolean },
): Promise<boolean> {
  const params: unknown[] = [id, opts.now];
  const sets = ['updated_at = $2'];
  for (const [key, value] of Object.entries(patch) as Array<[keyof JobPatch, unknown]>) {
    const column = COLUMN_OF[key];
    if (value === undefined || !column) continue;
    params.push(JSON_COLUMNS.has(column) && value !== null ? JSON.stringify(value) : value);
    sets.push(`${column} = $${params.length}`);
  }
  if (opts.finish) sets.push('finished_at = $2');
  const rows = await db.query(
    `update jobs set ${sets.join(', ')} where id = $1 and finished_at is null returning id`,
    params,
  );
  return rows.length > 0;
}
