/**
 * The reconciler's Temporal Schedule, one per task queue, ensured by every worker at start
 * (src/worker/periodic-schedule.ts: created if missing, its period aligned, sweeps never overlap).
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { ensurePeriodicSchedule } from './periodic-schedule.js';

export function reconcileScheduleId(taskQueue: string): string {
  return `reconcile-${taskQueue}`;
}

export async function ensureReconcileSchedule(
  client: Client,
  opts: { taskQueue: string; everyMs: number; logger: Logger },
): Promise<void> {
  await ensurePeriodicSchedule(client, {
    scheduleId: reconcileScheduleId(opts.taskQueue),
    workflow: 'reconcileJobs',
    label: 'reconciler',
    ...opts,
  });
}
