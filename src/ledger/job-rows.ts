/** The jobs table ↔ JobRecord, and the one place that writes job columns from a patch. */
import type { Db } from '../db/index.js';
import type { ArchivedFile, HdState, JobState, ModelId } from '../domain/index.js';
import type { JobPatch, JobRecord } from './types.js';

export interface JobRow {
  id: string;
  user_id: string;
  state: JobState;
  model: ModelId;
  request: JobRecord['request'];
  price: number;
  kie_credits: number | null;
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

const STORED_JOB_COLUMNS =
  'id, user_id, state, model, request, price, kie_credits, kie_task_id, detection_channel, hd_state, files, error, progress, ' +
  'idempotency_key, request_hash, created_at, updated_at, finished_at';
/**
 * `charged` comes from the job's capture entries (the ledger is the record of what was paid): the
 * video's, plus an on-demand 1080p's once delivered; null until the video's is made.
 */
export const JOB_COLUMNS = `${STORED_JOB_COLUMNS}, (select sum(c.amount)::int8 from credit_entries c where c.job_id = jobs.id and c.kind = 'capture') as charged`;
/**
 * JOB_COLUMNS for the RETURNING of a job's insert: a new job has no capture yet, so `charged` is null
 * without the lookup (a create's one statement runs it on every POST).
 */
export const NEW_JOB_COLUMNS = `${STORED_JOB_COLUMNS}, null::int8 as charged`;

export const toJobRecord = (r: JobRow): JobRecord => ({
  id: r.id,
  userId: r.user_id,
  state: r.state,
  model: r.model,
  request: r.request,
  price: r.price,
  kieCredits: r.kie_credits,
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

/**
 * The one change a finished record takes: an on-demand 1080p's progress on a succeeded job (hd_state
 * `from` → `to`, its note, and its file once archived), mirrored into the progress snapshot the API
 * reads. Applies only from the expected hd state, so a replayed or late step changes nothing.
 */
export async function setOnDemandHdIn(
  db: Db,
  id: string,
  change: {
    from: HdState;
    to: HdState;
    note: string | null;
    file?: ArchivedFile | undefined;
    now: Date;
  },
): Promise<boolean> {
  const added = JSON.stringify(change.file ? [change.file] : []);
  const rows = await db.query(
    `update jobs set
       hd_state = $2,
       files = files || $4::jsonb,
       progress = jsonb_set(jsonb_set(jsonb_set(coalesce(progress, '{}'::jsonb),
         '{files}', coalesce(progress->'files', '[]'::jsonb) || $4::jsonb),
         '{hd}', to_jsonb($2::text)),
         '{hdNote}', coalesce(to_jsonb($3::text), 'null'::jsonb)),
       updated_at = $5
     where id = $1 and state = 'succeeded' and coalesce(hd_state, 'not_requested') = $6
     returning id`,
    [id, change.to, change.note, added, change.now, change.from],
  );
  return rows.length > 0;
}
