/**
 * The ledger after a run, read from its entries: the invariants (src/ledger/invariants.ts), the holds
 * still open, and what was captured per job and granted per user — so a run can check that every
 * balance is grants − what that user's jobs were charged.
 */
import { openDatabase } from '../../src/db/index.js';
import { checkInvariants } from '../../src/ledger/invariants.js';

export interface LedgerAudit {
  /** One line per violated invariant; empty = all hold. */
  violations: string[];
  /** Holds with neither a capture nor a release, and the credits they hold. */
  openHolds: { count: number; credits: number };
  /** Job id → credits captured (every part: the job, an on-demand 1080p). */
  capturedByJob: Map<string, number>;
}

export async function auditLedger(databaseUrl: string): Promise<LedgerAudit> {
  const db = await openDatabase({ url: databaseUrl });
  try {
    const violations = await checkInvariants(db);
    const [open] = await db.query<{ n: string; credits: string | null }>(`
      select count(*) as n, sum(h.amount) as credits from credit_entries h
      where h.kind = 'hold' and not exists (
        select 1 from credit_entries s where s.job_id = h.job_id and s.part = h.part and s.kind in ('capture', 'release'))`);
    const captured = await db.query<{ job_id: string; amount: string }>(
      `select job_id, sum(amount) as amount from credit_entries where kind = 'capture' and job_id is not null group by job_id`,
    );
    return {
      violations,
      openHolds: { count: Number(open?.n ?? 0), credits: Number(open?.credits ?? 0) },
      capturedByJob: new Map(captured.map((r) => [r.job_id, Number(r.amount)])),
    };
  } finally {
    await db.close();
  }
}
