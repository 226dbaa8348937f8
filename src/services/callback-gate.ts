/**
 * What keeps a flood of KIE callbacks away from Temporal (docs/architecture.md#callbacks): each
 * (job, task) is signalled once, and a job at most SIGNALS_PER_JOB times per window, whatever arrives
 * — KIE's own retries, a replayed callback, someone holding a job's token. The workflow confirms every
 * wake-up with record-info, so a signal more buys nothing but history events and KIE calls.
 *
 * In memory, per API process: with several replicas a task may be signalled once per replica, still a
 * small bound. Entries expire, and the oldest are dropped past a size limit, so memory stays bounded.
 */
const SIGNALS_PER_JOB = 5;
const WINDOW_MS = 60_000;
/** KIE retries a callback 3 times within minutes; a claim outlives that. */
const CLAIM_TTL_MS = 15 * 60_000;
const MAX_ENTRIES = 50_000;

export type GateDecision = 'admit' | 'duplicate' | 'throttled';

export interface CallbackGate {
  /** Claims (job, task) for one signal: `admit` once, then `duplicate`; `throttled` past the job's budget. */
  claim(jobId: string, taskId: string): GateDecision;
  /** The signal failed: the next callback of that task may try again (its budget use stays spent). */
  release(jobId: string, taskId: string): void;
}

export function createCallbackGate(now: () => number = Date.now): CallbackGate {
  const claims = new Map<string, number>(); // (job, task) → expiry
  const budgets = new Map<string, { start: number; used: number }>(); // job → its window

  const bounded = <V>(m: Map<string, V>) => {
    while (m.size > MAX_ENTRIES) m.delete(m.keys().next().value!);
  };
  const claimKey = (jobId: string, taskId: string) => `${jobId}\u0000${taskId}`;

  return {
    claim(jobId, taskId) {
      const t = now();
      const key = claimKey(jobId, taskId);
      const until = claims.get(key);
      if (until !== undefined && until > t) return 'duplicate';
      let budget = budgets.get(jobId);
      if (!budget || t - budget.start >= WINDOW_MS) {
        budgets.delete(jobId);
        budget = { start: t, used: 0 };
        budgets.set(jobId, budget);
        bounded(budgets);
      }
      if (budget.used >= SIGNALS_PER_JOB) return 'throttled';
      budget.used++;
      claims.delete(key);
      claims.set(key, t + CLAIM_TTL_MS);
      bounded(claims);
      return 'admit';
    },
    release(jobId, taskId) {
      claims.delete(claimKey(jobId, taskId));
    },
  };
}
