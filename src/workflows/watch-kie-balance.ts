/**
 * watchKieBalance: one read of KIE's balance, started by the Temporal Schedule every worker ensures
 * (src/worker/kie-balance-schedule.ts; docs/operations.md#kie-balance). The work is one activity, so
 * the history stays a few events; a read that keeps failing fails the run, and the next run comes at
 * the next period anyway.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createVideoActivities } from '../activities/index.js';
import type { KieBalanceCheck } from '../activities/kie-balance-activity.js';

const { checkKieBalance } = proxyActivities<ReturnType<typeof createVideoActivities>>({
  // One KIE call (KIE_TIMEOUT_MS ≤ 60 s) and two small database writes.
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumAttempts: 3 },
});

export async function watchKieBalance(): Promise<KieBalanceCheck> {
  return checkKieBalance();
}
