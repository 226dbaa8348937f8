/**
 * Job records: one row per video job, written by the workflow's activities and read by the API. The
 * transactions that tie a record to credits are in job-settlement.ts.
 */
import { isUniqueViolation, type Db } from '../db/index.js';
import { isFinalState, type JobState } from '../domain/index.js';
import { IdempotencyKeyConflictError, JobConflictError } from './errors.js';
import { afterCursorSql, CURSOR_COLUMN_SQL, decodeJobCursor, encodeJobCursor } from './job-cursor.js';
import { JOB_COLUMNS, NEW_JOB_COLUMNS, patchUnfinishedJob, toJobRecord, type JobRow } from './job-rows.js';
import type { JobListQuery, JobPage, JobPatch, JobRecord, NewJob } from './types.js';

const MAX_PAGE = 100;

/** The columns a new job's insert sets, in the order of jobInsertParams ($9 twice: created, updated). */
export const JOB_INSERT_COLUMNS =
  'id, user_id, state, model, request, price, idempotency_key, request_hash, created_at, updated_at, finished_at, webhook_url, kie_credits';
export const JOB_INSERT_VALUES = '$1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12';

/** $1…$12 of a new job's insert (JOB_INSERT_VALUES); the price is checked here. */
export function jobInsertParams(job: NewJob & { price: number }, now: Date): unknown[] {
  if (!Number.isSafeInteger(job.price) || job.price < 0)
    throw new RangeError(`job price must be a non-negative integer, got ${job.price}`);
  return [
    job.id,
    job.userId,
    job.state ?? 'reserving',
    job.model,
    JSON.stringify(job.request),
    job.price,
    job.idempotencyKey ?? null,
    job.requestHash ?? null,
    now,
    job.state && isFinalState(job.state) ? now : null,
    job.request.webhookUrl ?? null,
    job.kieCredits ?? null,
  ];
}

/** Another job of this user already has the idempotency key: the insert's unique violation, named. */
export function idempotencyConflictOf(err: unknown, job: NewJob): unknown {
  return isUniqueViolation(err, 'jobs_idempotency') && job.idempotencyKey
    ? new IdempotencyKeyConflictError(job.userId, job.idempotencyKey)
    : err;
}

/**
 * Inserts the job unless a job with this id exists (a replay): returns the stored record either way.
 * The same id for another user is a conflict; another job already using the idempotency key too.
 */
export async function insertJobIn(
  tx: Db,
  job: NewJob & { price: number },
  now: Date,
): Promise<{ inserted: boolean; job: JobRecord }> {
  const params = jobInsertParams(job, now);
  let inserted: JobRow | undefined;
  try {
    [inserted] = await tx.query<JobRow>(
      `insert into jobs (${JOB_INSERT_COLUMNS}) values (${JOB_INSERT_VALUES})
       on conflict (id) do nothing
       returning ${NEW_JOB_COLUMNS}`,
      params,
    );
  } catch (err) {
    throw idempotencyConflictOf(err, job);
  }
  if (inserted) return { inserted: true, job: toJobRecord(inserted) };
  const [existing] = await tx.query<JobRow>(`select ${JOB_COLUMNS} from jobs where id = $1`, [job.id]);
  if (!existing) throw new Error(`job ${job.id} conflicted on insert but cannot be read`);
  if (existing.user_id !== job.userId) throw new JobConflictError(job.id, 'belongs to another user');
  return { inserted: false, job: toJobRecord(existing) };
}

export function createJobStore(db: Db, clock: () => Date) {
  const one = async (sql: string, params: unknown[]): Promise<JobRecord | null> => {
    const [row] = await db.query<JobRow>(sql, params);
    return row ? toJobRecord(row) : null;
  };

  return {
    /** Records a job without touching credits. Idempotent by id. `price` is required here. */
    async insertJob(job: NewJob & { price: number }): Promise<{ inserted: boolean; job: JobRecord }> {
      return insertJobIn(db, job, clock());
    },

    /**
     * Mirrors progress into a running job's record. Final states are written only by
     * reserveAndRecordJob / finalizeJob / compensateJob, together with their credit movement; a
     * finished record is never changed. Returns whether the record changed.
     */
    async updateJob(id: string, patch: JobPatch): Promise<boolean> {
      if (patch.state && isFinalState(patch.state)) {
        throw new RangeError(
          `updateJob cannot set final state ${patch.state}: use finalizeJob or compensateJob`,
        );
      }
      return patchUnfinishedJob(db, id, patch, { now: clock(), finish: false });
    },

    getJob(id: string): Promise<JobRecord | null> {
      return one(`select ${JOB_COLUMNS} from jobs where id = $1`, [id]);
    },

    /** The job if it belongs to `userId`; another user's job is indistinguishable from a missing one. */
    getJobForUser(id: string, userId: string): Promise<JobRecord | null> {
      return one(`select ${JOB_COLUMNS} from jobs where id = $1 and user_id = $2`, [id, userId]);
    },

    findJobByIdempotencyKey(userId: string, key: string): Promise<JobRecord | null> {
      return one(`select ${JOB_COLUMNS} from jobs where user_id = $1 and idempotency_key = $2`, [
        userId,
        key,
      ]);
    },

    findJobByKieTaskId(userId: string, taskId: string): Promise<JobRecord | null> {
      return one(`select ${JOB_COLUMNS} from jobs where user_id = $1 and kie_task_id = $2`, [userId, taskId]);
    },

    /** The user's jobs, newest first, optionally in one state; `nextCursor` fetches the next page. */
    async listJobs(userId: string, q: JobListQuery): Promise<JobPage> {
      const limit = Math.max(1, Math.min(Math.trunc(q.limit), MAX_PAGE));
      const params: unknown[] = [userId];
      const where = ['user_id = $1'];
      if (q.state) {
        params.push(q.state satisfies JobState);
        where.push(`state = $${params.length}`);
      }
      if (q.cursor) {
        const after = decodeJobCursor(q.cursor);
        params.push(after.createdUs, after.id);
        where.push(afterCursorSql(`$${params.length - 1}`, `$${params.length}`));
      }
      params.push(limit + 1); // one extra row tells whether another page exists
      const rows = await db.query<JobRow & { cursor_us: number }>(
        `select ${JOB_COLUMNS}, ${CURSOR_COLUMN_SQL} from jobs where ${where.join(' and ')}
         order by created_at desc, id desc limit $${params.length}`,
        params,
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        jobs: page.map(toJobRecord),
        nextCursor:
          rows.length > limit && last ? encodeJobCursor({ createdUs: last.cursor_us, id: last.id }) : null,
      };
    },
  };
}
