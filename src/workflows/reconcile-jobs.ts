/**
 * reconcileJobs: one sweep of the reconciler, started by the Temporal Schedule every worker ensures
 * (src/worker/reconcile-schedule.ts). The work is one activity: it asks Temporal about each unsettled
 * job and settles those no workflow will, so the history stays a few events whatever the backlog.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createVideoActivities } from '../activities/index.js';
import type { SweepSummary } from '../activities/reconcile-activity.js';

const { sweepUnsettledJobs } = proxyActivities<ReturnType<typeof createVideoActivities>>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  // The next sweep comes soon anyway; a sweep that keeps failing shows in the last-sweep metric.
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
});

export async function reconcileJobs(): Promise<SweepSummary> {
  return sweepUnsettledJobs();
}
