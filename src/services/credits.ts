/** A user's credits as they see them: balance, held, available and the recent ledger entries. */
import type { CreditEntry, Ledger } from '../ledger/index.js';

export function createCreditService({ ledger }: { ledger: Ledger }) {
  return {
    async statement(userId: string, limit = 50) {
      const { entries, ...balance } = await ledger.statement(userId, limit);
      return { ...balance, entries: entries.map(entryView) };
    },
  };
}

function entryView(e: CreditEntry) {
  return {
    kind: e.kind,
    amount: e.amount,
    jobId: e.jobId ?? null,
    at: e.createdAt.toISOString(),
    note: e.note ?? null,
  };
}

export type CreditService = ReturnType<typeof createCreditService>;
