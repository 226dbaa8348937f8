/**
 * A worker starting while the reconciler's schedule exists but cannot be described (Temporal answers a
 * schedule's describe by querying its internal workflow, which on a loaded server may answer
 * FAILED_PRECONDITION): the worker starts anyway, with a warning. Found by `npm run chaos`, where such
 * a worker exited with code 1 instead of starting.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScheduleAlreadyRunning, ServiceError, type Client } from '@temporalio/client';
import pino from 'pino';
import { ensureReconcileSchedule } from '../../src/worker/reconcile-schedule.js';

function fakeClient(describeSchedule: () => Promise<unknown>) {
  const calls: string[] = [];
  const client = {
    schedule: {
      create: () => {
        calls.push('create');
        return Promise.reject(new ScheduleAlreadyRunning('exists', 'reconcile-q'));
      },
      getHandle: () => ({
        describe: () => (calls.push('describe'), describeSchedule()),
        update: () => (calls.push('update'), Promise.resolve()),
      }),
    },
  } as unknown as Client;
  return { client, calls };
}

function capturingLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as never) });
  return { logger, lines };
}

void describe('ensureReconcileSchedule when the schedule already exists', () => {
  void it('a describe that fails does not stop the worker: logged, schedule left as it is', async () => {
    const { client, calls } = fakeClient(() =>
      Promise.reject(
        new ServiceError('Failed to describe schedule', { cause: new Error('FAILED_PRECONDITION') }),
      ),
    );
    const { logger, lines } = capturingLogger();
    await ensureReconcileSchedule(client, { taskQueue: 'q', everyMs: 5000, logger });
    assert.deepEqual(calls, ['create', 'describe']);
    assert.ok(
      lines.some((l) => l.level === 40 && /period could not be checked/.test(l.msg)),
      JSON.stringify(lines),
    );
  });

  void it('a different period is brought in line; the same one is left alone', async () => {
    const other = fakeClient(() => Promise.resolve({ spec: { intervals: [{ every: 60_000 }] } }));
    await ensureReconcileSchedule(other.client, {
      taskQueue: 'q',
      everyMs: 5000,
      logger: pino({ level: 'silent' }),
    });
    assert.deepEqual(other.calls, ['create', 'describe', 'update']);
    const same = fakeClient(() => Promise.resolve({ spec: { intervals: [{ every: 5000 }] } }));
    await ensureReconcileSchedule(same.client, {
      taskQueue: 'q',
      everyMs: 5000,
      logger: pino({ level: 'silent' }),
    });
    assert.deepEqual(same.calls, ['create', 'describe']);
  });
});
