/**
 * The reconciler's Temporal Schedule, one per task queue, ensured by every worker at start: the first
 * creates it, the others find it (ScheduleAlreadyRunning) and bring its period in line with their
 * config. Sweeps never overlap (SKIP): a slow one delays the next instead of racing it.
 *
 * Once the schedule exists, aligning its period is a nicety: when describing or updating it fails
 * (Temporal answers a schedule's describe by querying its internal workflow, which can be briefly
 * unable to answer on a loaded server), the worker logs it and starts anyway, rather
 * than exit over a schedule that is already running (found by `npm run chaos`).
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
    try {
      await alignPeriod(client, scheduleId, every, opts.logger);
    } catch (alignErr) {
      opts.logger.warn(
        { scheduleId, everyMs: every, err: alignErr },
        'reconciler schedule exists; its period could not be checked, left as it is',
      );
    }
  }
}

async function alignPeriod(client: Client, scheduleId: string, every: number, logger: Logger): Promise<void> {
  const handle = client.schedule.getHandle(scheduleId);
  const current = (await handle.describe()).spec.intervals?.[0]?.every;
  if (current === every) return;
  await handle.update((previous) => ({ ...previous, spec: { intervals: [{ every }] } }));
  logger.info({ scheduleId, everyMs: every, was: current }, 'reconciler schedule period updated');
}
