/**
 * The global spend breaker: one row. While open, every new hold is refused ('breaker_open') — opened
 * by an operator, automatically when KIE answers 402 (our KIE account is out of credits, so new jobs
 * would only fail), or by the balance watcher when KIE's balance falls below the low-water mark
 * (src/activities/kie-balance-activity.ts). Jobs already holding credits carry on. The row says who
 * opened it, so the watcher can close its own openings and never anyone else's.
 */
import type { Db } from '../db/index.js';
import type { BreakerSource } from '../domain/index.js';
import type { Breaker } from './types.js';

interface BreakerRow {
  open: boolean;
  reason: string | null;
  opened_at: Date | null;
  opened_by: BreakerSource | null;
}

export function createBreakerStore(db: Db, clock: () => Date) {
  const read = async (): Promise<Breaker> => {
    const [row] = await db.query<BreakerRow>(
      'select open, reason, opened_at, opened_by from spend_breaker where id = 1',
    );
    return {
      open: row?.open ?? false,
      reason: row?.reason ?? null,
      openedAt: row?.opened_at ? new Date(row.opened_at) : null,
      openedBy: row?.opened_by ?? null,
    };
  };
  const open = async (
    reason: string,
    openedBy: BreakerSource,
  ): Promise<{ opened: boolean; breaker: Breaker }> => {
    const opened = await db.query<{ id: number }>(
      `update spend_breaker set open = true, reason = $1, opened_at = $2, opened_by = $3
        where id = 1 and not open returning id`,
      [reason, clock(), openedBy],
    );
    return { opened: opened.length > 0, breaker: await read() };
  };
  return {
    /**
     * Opens the breaker. Already open: unchanged, so many failing jobs keep the first reason, time and
     * opener (an operator's breaker stays the operator's, whatever opens it again).
     */
    async openBreaker(reason: string, openedBy: BreakerSource = 'operator'): Promise<Breaker> {
      return (await open(reason, openedBy)).breaker;
    },
    /** openBreaker, also saying whether this call opened it (false: it was open already). */
    openBreakerIfClosed: open,
    async closeBreaker(): Promise<Breaker> {
      await db.query(
        'update spend_breaker set open = false, reason = null, opened_at = null, opened_by = null where id = 1',
      );
      return read();
    },
    /**
     * Closes the breaker only if `openedBy` opened it — one statement, so an operator who opens it in
     * between is never overruled. `closed`: whether this call closed it.
     */
    async closeBreakerOpenedBy(openedBy: BreakerSource): Promise<{ closed: boolean; breaker: Breaker }> {
      const closed = await db.query<{ id: number }>(
        `update spend_breaker set open = false, reason = null, opened_at = null, opened_by = null
          where id = 1 and open and opened_by = $1 returning id`,
        [openedBy],
      );
      return { closed: closed.length > 0, breaker: await read() };
    },
    breaker: read,
  };
}
