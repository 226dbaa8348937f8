/**
 * A Temporal Schedule that starts one workflow every period on the job task queue, ensured by every
 * worker at start: the first creates it, the others find it (ScheduleAlreadyRunning) and bring its
 * period in line with their config. Runs never overlap (SKIP): a slow one delays the next instead of
 * racing it. Used by the reconciler and the KIE balance watcher.
 *
 * Once the schedule exists, aligning its period is a nicety: when describing or updating it fails
 * (Temporal answers a schedule's describe by querying its internal workflow, which can be briefly
 * unable to answer on a loaded server), the worker logs it and starts anyway, rather
 * than exit over a schedule that is already running (found by `npm run chaos`).
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
} from '@temporalio/client';
import type { Logger } from 'pino';
import { workflowType, type WorkflowName } from '../workflows/refs.js';

export interface PeriodicSchedule {
  scheduleId: string;
  /** A workflow that takes no arguments. */
  workflow: WorkflowName;
  taskQueue: string;
  everyMs: number;
  /** Names the schedule in log lines ("reconciler", "KIE balance"). */
  label: string;
  /** Also run once as soon as the schedule is created (not when a worker finds it existing). */
  runAtCreation?: boolean;
  logger: Logger;
}

export async function ensurePeriodicSchedule(client: Client, s: PeriodicSchedule): Promise<void> {
  // Schedules count in whole seconds.
  const every = Math.max(1, Math.round(s.everyMs / 1000)) * 1000;
  try {
    await client.schedule.create({
      scheduleId: s.scheduleId,
      spec: { intervals: [{ every }] },
      action: {
        type: 'startWorkflow',
        workflowType: workflowType(s.workflow),
        workflowId: s.scheduleId,
        taskQueue: s.taskQueue,
        args: [],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      ...(s.runAtCreation ? { state: { triggerImmediately: true } } : {}),
    });
    s.logger.info({ scheduleId: s.scheduleId, everyMs: every }, `${s.label} schedule created`);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    try {
      await alignPeriod(client, s, every);
    } catch (alignErr) {
      s.logger.warn(
        { scheduleId: s.scheduleId, everyMs: every, err: alignErr },
        `${s.label} schedule exists; its period could not be checked, left as it is`,
      );
    }
  }
}

/** Deletes the schedule (a period of 0 turns the job off); none is fine. */
export async function removePeriodicSchedule(
  client: Client,
  s: Pick<PeriodicSchedule, 'scheduleId' | 'label' | 'logger'>,
): Promise<void> {
  try {
    await client.schedule.getHandle(s.scheduleId).delete();
    s.logger.info({ scheduleId: s.scheduleId }, `${s.label} schedule deleted (turned off)`);
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

async function alignPeriod(client: Client, s: PeriodicSchedule, every: number): Promise<void> {
  const handle = client.schedule.getHandle(s.scheduleId);
  const current = (await handle.describe()).spec.intervals?.[0]?.every;
  if (current === every) return;
  await handle.update((previous) => ({ ...previous, spec: { intervals: [{ every }] } }));
  s.logger.info(
    { scheduleId: s.scheduleId, everyMs: every, was: current },
    `${s.label} schedule period updated`,
  );
}
