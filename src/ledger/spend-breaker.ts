/**
 * The global spend breaker: one row. While open, every new hold is refused ('breaker_open') — opened
 * by an operator, or automatically when KIE answers 402 (our KIE account is out of credits, so new
 * jobs would only fail). Jobs already holding credits carry on.
 */
import type { Db } from '../db/index.js';
import type { Breaker } from './types.js';

interface BreakerRow {
  open: boolean;
  reason: string | null;
  opened_at: Date | null;
}

export function createBreakerStore(db: Db, clock: () => Date) {
  const read = async (): Promise<Breaker> => {
    const [row] = await db.query<BreakerRow>(
      'select open, reason, opened_at from spend_breaker where id = 1',
    );
    return {
      open: row?.open ?? false,
      reason: row?.reason ?? null,
      openedAt: row?.opened_at ? new Date(row.opened_at) : null,
    };
  };
  return {
    /** Opens the breaker. Already open: unchanged, so many failing jobs keep the first reason and time. */
    async openBreaker(reason: string): Promise<Breaker> {
      await db.query(
        'update spend_breaker set open = true, reason = $1, opened_at = $2 where id = 1 and not open',
        [reason, clock()],
      );
      return read();
    },
    async closeBreaker(): Promise<Breaker> {
      await db.query('update spend_breaker set open = false, reason = null, opened_at = null where id = 1');
      return read();
    },
    breaker: read,
  };
}
