/**
 * The KIE balance watcher's Temporal Schedule, one per task queue (docs/operations.md#kie-balance):
 * every worker ensures it at start (src/worker/periodic-schedule.ts), with a first read as soon as it
 * is created so a new deployment shows KIE's balance at once. A period of 0 turns the watcher off:
 * the worker deletes the schedule.
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { ensurePeriodicSchedule, removePeriodicSchedule } from './periodic-schedule.js';

export function kieBalanceScheduleId(taskQueue: string): string {
  return `kie-balance-${taskQueue}`;
}

export async function ensureKieBalanceSchedule(
  client: Client,
  opts: { taskQueue: string; everyMs: number; logger: Logger },
): Promise<void> {
  const s = { scheduleId: kieBalanceScheduleId(opts.taskQueue), label: 'KIE balance', logger: opts.logger };
  if (opts.everyMs <= 0) return removePeriodicSchedule(client, s);
  await ensurePeriodicSchedule(client, {
    ...s,
    workflow: 'watchKieBalance',
    taskQueue: opts.taskQueue,
    everyMs: opts.everyMs,
    runAtCreation: true,
  });
}
