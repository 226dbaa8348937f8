/** Credits as the API and admin see them: grant, reserve, capture, release, balance, history. */
import type { Db } from '../db/index.js';
import { grantIn, reserveIn, settleIn } from './credit-operations.js';
import { UnknownUserError } from './errors.js';
import type { Balance, CreditEntry, EntryKind, ReserveResult, Settlement } from './types.js';

interface EntryRow {
  id: number;
  kind: EntryKind;
  amount: number;
  job_id: string | null;
  idempotency_key: string | null;
  note: string | null;
  created_at: Date;
}

export function createCreditStore(db: Db, clock: () => Date) {
  return {
    /** Adds credits. Idempotent by (user, key): a replay returns `{ applied: false }` and changes nothing. */
    grant(args: {
      userId: string;
      amount: number;
      idempotencyKey: string;
      note?: string | undefined;
    }): Promise<{ applied: boolean }> {
      return db.transaction((tx) => grantIn(tx, { ...args, now: clock() }));
    },

    /** Holds credits for a job (see reserveIn). Prefer reserveAndRecordJob, which also records the job. */
    reserve(args: { jobId: string; userId: string; amount: number }): Promise<ReserveResult> {
      return db.transaction((tx) => reserveIn(tx, { ...args, now: clock() }));
    },

    /** Captures `amount` of the job's hold (default all of it); the rest becomes available again. */
    capture(jobId: string, amount?: number): Promise<Settlement> {
      return db.transaction((tx) => settleIn(tx, { jobId, kind: 'capture', amount, now: clock() }));
    },

    release(jobId: string): Promise<Settlement> {
      return db.transaction((tx) => settleIn(tx, { jobId, kind: 'release', now: clock() }));
    },

    /** From the user row's running totals (kept equal to the entries; checkInvariants proves it). */
    async balance(userId: string): Promise<Balance> {
      const [row] = await db.query<{ balance: number; held: number }>(
        'select balance, held from users where id = $1',
        [userId],
      );
      if (!row) throw new UnknownUserError(userId);
      return { balance: row.balance, held: row.held, available: row.balance - row.held };
    },

    /** The user's most recent entries, newest first. */
    async entries(userId: string, limit = 50): Promise<CreditEntry[]> {
      const rows = await db.query<EntryRow>(
        `select id, kind, amount, job_id, idempotency_key, note, created_at from credit_entries
         where user_id = $1 order by id desc limit $2`,
        [userId, Math.max(1, Math.min(Math.trunc(limit), 1000))],
      );
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        amount: r.amount,
        jobId: r.job_id,
        idempotencyKey: r.idempotency_key,
        note: r.note,
        createdAt: new Date(r.created_at),
      }));
    },
  };
}
