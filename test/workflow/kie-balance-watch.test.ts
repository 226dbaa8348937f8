/**
 * KIE's balance watched, on real parts: the workers' Temporal Schedule and workflow `watchKieBalance`
 * read the simulator's balance over HTTP (moved between reads through its control API), store it in
 * PGlite, and the API's /metrics and admin API show it. Below KIE_BALANCE_LOW_WATER the spend breaker
 * opens and new jobs are refused (breaker_open); a read back at the mark closes it only with
 * KIE_BALANCE_AUTO_CLOSE, and only when the watcher opened it — not an operator's, not a KIE 402's.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowFailedError } from '@temporalio/client';
import pino from 'pino';
import type { KieBalanceCheck } from '../../src/activities/kie-balance-activity.js';
import type { BreakerView } from '../../src/services/admin.js';
import { ensureKieBalanceSchedule, kieBalanceScheduleId } from '../../src/worker/kie-balance-schedule.js';
import { workflowType, type WorkflowFn } from '../../src/workflows/refs.js';
import { assertProblem, client, type Client } from '../support/api-client.js';
import { metricValue } from '../support/metrics.js';
import {
  maybeRecordWorkflowHistory,
  startTestStack,
  TEST_ADMIN_KEY,
  type TestStack,
} from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

const LOW_WATER = 100;
/** Periodic runs out of the way: the tests run the watcher themselves. */
const HOURLY = String(3600_000);

async function setSimCredits(stack: TestStack, credits: number): Promise<void> {
  const res = await fetch(`${stack.simulator!.url}/_sim/credits`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ credits }),
  });
  assert.equal(res.status, 200, await res.text());
}

/** One run of the watcher, started directly on the stack's task queue (its history kept with RECORD_HISTORIES=1). */
async function check(stack: TestStack): Promise<KieBalanceCheck> {
  const workflowId = `kie-balance-test-${randomUUID()}`;
  const result = await stack.temporal.client.workflow.execute<WorkflowFn<'watchKieBalance'>>(
    workflowType('watchKieBalance'),
    { workflowId, taskQueue: stack.taskQueue, args: [] },
  );
  await maybeRecordWorkflowHistory(
    stack,
    workflowId,
    `kie_balance_${result.breaker}-${workflowId.slice(-10)}`,
  );
  return result;
}

async function scrape(stack: TestStack) {
  const text = await (await fetch(`${stack.apiUrl}/metrics`)).text();
  return {
    credits: metricValue(text, 'veo_kie_balance_credits'),
    checkedAt: metricValue(text, 'veo_kie_balance_checked_timestamp_seconds'),
    lowWater: metricValue(text, 'veo_kie_balance_low_water_credits'),
    failing: metricValue(text, 'veo_kie_balance_check_failing'),
  };
}

async function breaker(admin: Client): Promise<BreakerView> {
  const reply = await admin('GET', '/admin/breaker');
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body as BreakerView;
}

async function createVideo(user: Client) {
  return user('POST', '/v1/videos', { body: { prompt: 'A lighthouse in a storm', model: 'veo3_fast' } });
}

/** The run the schedule makes when it is created, finished: later reads are the test's own. */
async function firstScheduledRead(stack: TestStack): Promise<void> {
  await waitFor(
    "the schedule's first read",
    async () => ((await stack.ledger.kieBalance()).checkedAt ? true : undefined),
    20_000,
  );
  const handle = stack.temporal.client.schedule.getHandle(kieBalanceScheduleId(stack.taskQueue));
  await waitFor(
    "the schedule's first run finished",
    async () => ((await handle.describe()).info.runningActions.length === 0 ? true : undefined),
    20_000,
    100,
  );
}

describe('KIE balance watcher', () => {
  it('the gauge follows the balance; below the mark the breaker opens, at the mark auto-close reopens the gate — for its own breaker only', async (t) => {
    const stack = await startTestStack(t, {
      env: {
        KIE_BALANCE_EVERY_MS: HOURLY,
        KIE_BALANCE_LOW_WATER: String(LOW_WATER),
        KIE_BALANCE_AUTO_CLOSE: 'true',
      },
    });
    const admin = client(stack, TEST_ADMIN_KEY);
    const funded = await stack.user(1000);
    const user = client(stack, funded.apiKey);

    // The schedule exists and read the simulator's starting balance as soon as it was created.
    await firstScheduledRead(stack);
    assert.equal((await scrape(stack)).credits, stack.simulator!.credits());

    // Triggering the schedule reads the moved balance; /metrics (the API) shows it.
    await setSimCredits(stack, 5000);
    await stack.temporal.client.schedule
      .getHandle(kieBalanceScheduleId(stack.taskQueue))
      .trigger(ScheduleOverlapPolicy.ALLOW_ALL);
    await waitFor(
      'the gauge at 5000',
      async () => ((await scrape(stack)).credits === 5000 ? true : undefined),
      20_000,
    );
    const healthy = await scrape(stack);
    assert.equal(healthy.lowWater, LOW_WATER);
    assert.equal(healthy.failing, 0);
    assert.ok(healthy.checkedAt > 0);
    const calm = await breaker(admin);
    assert.equal(calm.open, false);
    assert.equal(calm.kieBalance.credits, 5000);
    assert.equal(calm.kieBalance.lowWater, LOW_WATER);
    assert.equal(calm.kieBalance.error, null);
    assert.equal(Date.parse(calm.kieBalance.checkedAt!) / 1000, healthy.checkedAt);

    // Below the mark: the breaker opens, said by whom and why; a new job is refused, nothing held.
    await setSimCredits(stack, 40.5);
    assert.deepEqual(await check(stack), { credits: 40.5, breaker: 'opened' });
    assert.equal((await scrape(stack)).credits, 40.5);
    const low = await breaker(admin);
    assert.equal(low.open, true);
    assert.equal(low.openedBy, 'kie_balance');
    assert.match(low.reason ?? '', /low-water mark/);
    assert.equal(low.kieBalance.credits, 40.5);
    const refused = await createVideo(user);
    assert.equal((assertProblem(refused, 503) as { reason?: string }).reason, 'breaker_open');
    assert.equal((await stack.ledger.balance(funded.id)).held, 0);
    // Still low: nothing changes.
    assert.deepEqual(await check(stack), { credits: 40.5, breaker: 'unchanged' });

    // Back at the mark: auto-close reopens the gate, and jobs run again.
    await setSimCredits(stack, LOW_WATER);
    assert.deepEqual(await check(stack), { credits: LOW_WATER, breaker: 'closed' });
    assert.equal((await breaker(admin)).open, false);
    const accepted = await createVideo(user);
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    assert.equal((await stack.wait((accepted.body as { id: string }).id)).state, 'succeeded');

    // An operator's breaker: the watcher neither takes it over when low nor closes it when high.
    const opened = await admin('POST', '/admin/breaker', { body: { open: true, reason: 'audit' } });
    assert.equal((opened.body as BreakerView).openedBy, 'operator');
    await setSimCredits(stack, 20);
    assert.deepEqual(await check(stack), { credits: 20, breaker: 'unchanged' });
    await setSimCredits(stack, 5000);
    assert.deepEqual(await check(stack), { credits: 5000, breaker: 'unchanged' });
    const operators = await breaker(admin);
    assert.deepEqual([operators.open, operators.openedBy, operators.reason], [true, 'operator', 'audit']);
    assertProblem(await createVideo(user), 503);
    assert.equal((await admin('POST', '/admin/breaker', { body: { open: false } })).status, 200);

    // A KIE 402 on submit (the balance read above the mark, then spent elsewhere): that breaker is
    // KIE's word and stays open, however much the watcher reads afterwards.
    await setSimCredits(stack, 50); // above nothing the watcher knows of yet: below veo3_fast's 80
    const doomed = await createVideo(user);
    assert.equal(doomed.status, 202, JSON.stringify(doomed.body));
    assert.equal((await stack.wait((doomed.body as { id: string }).id)).state, 'failed');
    assert.equal((await breaker(admin)).openedBy, 'kie_402');
    await setSimCredits(stack, 5000);
    assert.deepEqual(await check(stack), { credits: 5000, breaker: 'unchanged' });
    const kies = await breaker(admin);
    assert.deepEqual([kies.open, kies.openedBy], [true, 'kie_402']);
    await admin('POST', '/admin/breaker', { body: { open: false } });

    // A failed read: the last good balance stays, the failure is shown; the next good read clears it.
    stack.simulator!.setFaults({ responses: { credit: [{ code: 401 }] } });
    await assert.rejects(check(stack), WorkflowFailedError);
    const failing = await scrape(stack);
    assert.equal(failing.credits, 5000);
    assert.equal(failing.failing, 1);
    const failed = await breaker(admin);
    assert.equal(failed.kieBalance.credits, 5000);
    assert.match(failed.kieBalance.error ?? '', /KIE credit failed: code 401/);
    assert.ok(failed.kieBalance.errorAt);
    assert.equal(failed.open, false, 'a failed read opens nothing');
    assert.deepEqual(await check(stack), { credits: 5000, breaker: 'unchanged' });
    assert.equal((await breaker(admin)).kieBalance.error, null);
    assert.equal((await scrape(stack)).failing, 0);
    await stack.assertInvariants();
  });

  it('without auto-close the watcher opens but never closes; a period of 0 removes the schedule', async (t) => {
    const stack = await startTestStack(t, {
      env: { KIE_BALANCE_EVERY_MS: HOURLY, KIE_BALANCE_LOW_WATER: String(LOW_WATER) },
    });
    const admin = client(stack, TEST_ADMIN_KEY);
    await firstScheduledRead(stack);

    await setSimCredits(stack, 10);
    assert.deepEqual(await check(stack), { credits: 10, breaker: 'opened' });
    await setSimCredits(stack, 5000);
    assert.deepEqual(await check(stack), { credits: 5000, breaker: 'unchanged' });
    const still = await breaker(admin);
    assert.deepEqual([still.open, still.openedBy], [true, 'kie_balance']);
    assert.equal(still.kieBalance.credits, 5000);
    assert.equal((await admin('POST', '/admin/breaker', { body: { open: false } })).status, 200);

    // KIE_BALANCE_EVERY_MS=0 at a worker's start: the schedule goes (and going again is no error).
    const scheduleId = kieBalanceScheduleId(stack.taskQueue);
    const off = { taskQueue: stack.taskQueue, everyMs: 0, logger: pino({ level: 'silent' }) };
    await ensureKieBalanceSchedule(stack.temporal.client, off);
    await ensureKieBalanceSchedule(stack.temporal.client, off);
    await assert.rejects(
      stack.temporal.client.schedule.getHandle(scheduleId).describe(),
      ScheduleNotFoundError,
    );
  });
});
