/**
 * The reconciler's Temporal Schedule, one per task queue, ensured by every worker at start: the first
 * creates it, the others find it (ScheduleAlreadyRunning) and bring its period in line with their
 * config. Sweeps never overlap (SKIP): a slow one delays the next instead of racing it.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { workflowType } from '../workflows/refs.js';

export function reconcileScheduleId(taskQueue: string): string {
  return `reconcile-${taskQueue}`;
}

export async function ensureReconcileSchedule(
  client: Client,
  opts: { taskQueue: string; everyMs: number; logger: Logger },
): Promise<void> {
  const scheduleId = reconcileScheduleId(opts.taskQueue);
  // Schedules count in whole seconds.
  const every = Math.max(1, Math.round(opts.everyMs / 1000)) * 1000;
  const spec = { intervals: [{ every }] };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action: {
        type: 'startWorkflow',
        workflowType: workflowType('reconcileJobs'),
        workflowId: scheduleId,
        taskQueue: opts.taskQueue,
        args: [],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    opts.logger.info({ scheduleId, everyMs: every }, 'reconciler schedule created');
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    const handle = client.schedule.getHandle(scheduleId);
    const current = (await handle.describe()).spec.intervals?.[0]?.every;
    if (current === every) return;
    await handle.update((previous) => ({ ...previous, spec }));
    opts.logger.info({ scheduleId, everyMs: every, was: current }, 'reconciler schedule period updated');
  }
}
