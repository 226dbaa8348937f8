/**
 * KIE's account balance, one row written by the balance watcher (a worker activity, see
 * docs/operations.md#kie-balance) and read by the API's /metrics and admin API, which may run in
 * another process. A failed read keeps the last good balance and records why it failed.
 */
import type { Db } from '../db/index.js';
import type { KieBalance } from './types.js';

interface KieBalanceRow {
  credits: number | null;
  checked_at: Date | null;
  low_water: number | null;
  error: string | null;
  error_at: Date | null;
}

const date = (d: Date | null) => (d ? new Date(d) : null);

export function createKieBalanceStore(db: Db, clock: () => Date) {
  return {
    /** A good read: the balance, now, the mark it was held against (null: none); any earlier error cleared. */
    async recordKieBalance(read: { credits: number; lowWater: number | null }): Promise<void> {
      await db.query(
        `update kie_balance set credits = $1, checked_at = $2, low_water = $3, error = null, error_at = null
          where id = 1`,
        [read.credits, clock(), read.lowWater],
      );
    },

    /** A failed read: why, and when; the last good balance stays. */
    async recordKieBalanceError(message: string): Promise<void> {
      await db.query('update kie_balance set error = $1, error_at = $2 where id = 1', [message, clock()]);
    },

    async kieBalance(): Promise<KieBalance> {
      const [row] = await db.query<KieBalanceRow>(
        'select credits, checked_at, low_water, error, error_at from kie_balance where id = 1',
      );
      return {
        credits: row?.credits ?? null,
        checkedAt: date(row?.checked_at ?? null),
        lowWater: row?.low_water ?? null,
        error: row?.error ?? null,
        errorAt: date(row?.error_at ?? null),
      };
    },
  };
}
