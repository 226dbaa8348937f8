/**
 * Creates answered before their workflow's start (src/services/job-starts.ts), on the real stack:
 * Temporal, PGlite, the simulator, over HTTP. The API gets one start slot, and the test keeps it busy
 * with a start of its own, so every create meanwhile is answered from its hold and record alone and
 * its start waits in line: nothing is in Temporal yet, the credits are held, the job reads `queued`.
 * Once the slot is free the starts follow and the jobs run as any other: a cancel sent while its job
 * waited for its start cancels it, the others are charged once. A shutdown makes the
 * starts still waiting before it closes the Temporal connection. A cancel of a job with no workflow
 * that this process is not starting (another replica's, still to start) answers 503, nothing changed.
 * A start that waited past half the reconciler's grace period is not made; its hold is given back.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { kieBalanceScheduleId } from '../../src/worker/kie-balance-schedule.js';
import { reconcileScheduleId } from '../../src/worker/reconcile-schedule.js';
import { videoWorkflowId } from '../../src/workflows/job-types.js';
import {
  assertProblem,
  client,
  createJob,
  isFinal,
  waitForJob,
  type JobView,
} from '../support/api-client.js';
import { startTestStack, videoRequest } from '../support/stack.js';
import { testTemporal } from '../support/temporal.js';

/** A start that holds the API's one slot until `release()`. */
function busySlot() {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  return { start: () => held, release: () => release() };
}

/** A stack whose API has one start slot, and a user with credits for `jobs` jobs. */
async function oneSlotStack(t: TestContext, jobs: number, env: Record<string, string> = {}) {
  const stack = await startTestStack(t, {
    env: { JOB_STARTS_IN_FLIGHT: '1', JOB_START_BACKLOG: '100', USER_CONCURRENCY_CAP: '10', ...env },
  });
  const price = stack.config.prices.veo3_fast;
  const user = await stack.user(jobs * price);
  return { stack, price, user, api: client(stack, user.apiKey) };
}

const workflowExists = async (temporal: Client, jobId: string) => {
  try {
    await temporal.workflow.getHandle(videoWorkflowId(jobId)).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
};

void describe('creates answered before their start', () => {
  void it('run once their start comes: a cancel meanwhile cancels, the rest are charged once', async (t) => {
    // Registered before the stack's own close: a failed assertion must not leave its drain waiting.
    const slot = busySlot();
    t.after(slot.release);
    const { stack, price, user, api } = await oneSlotStack(t, 5);
    const starts = stack.jobStarts!;

    const blocker = starts.start('job_test_blocker', slot.start);
    const jobs: JobView[] = [];
    for (let i = 0; i < 5; i++) jobs.push(await createJob(api, { prompt: `Queued behind a busy slot ${i}` }));
    assert.deepEqual(starts.counts(), { inFlight: 1, waiting: 5 });
    for (const job of jobs) {
      assert.equal(job.state, 'queued');
      assert.equal(await workflowExists(stack.temporal.client, job.id), false, 'not in Temporal yet');
    }
    assert.deepEqual(await stack.ledger.balance(user.id), {
      balance: 5 * price,
      held: 5 * price,
      available: 0,
    });
    const read = await api('GET', `/v1/videos/${jobs[2]!.id}`);
    assert.equal(read.status, 200);
    assert.equal((read.body as JobView).state, 'queued');

    // The cancel waits for its job's start, then cancels the workflow.
    const canceled = api('POST', `/v1/videos/${jobs[2]!.id}/cancel`);
    // Had it not waited, it would have found no workflow and answered 503 by now.
    const early = await Promise.race([canceled, new Promise((r) => setTimeout(() => r('waiting'), 500))]);
    assert.equal(early, 'waiting', "the cancel waits for its job's start");
    slot.release();
    assert.equal(await blocker, 'started', 'the first start on a quiet API is waited for');
    assert.equal((await canceled).status, 202);

    const ended = await Promise.all(jobs.map((j) => waitForJob(api, j.id, isFinal, 60_000)));
    assert.deepEqual(
      ended.map((j) => j.state),
      ['succeeded', 'succeeded', 'canceled', 'succeeded', 'succeeded'],
    );
    // The cancel met its job's workflow before or after KIE took the task (full refund, or the
    // cancel policy's charge): either way each job was charged once, as its record says.
    const charged = ended.map((j) => (j as JobView & { charged: number | null }).charged ?? 0);
    assert.deepEqual(charged.slice(0, 2).concat(charged.slice(3)), Array(4).fill(price));
    const spent = charged.reduce((a, b) => a + b, 0);
    assert.deepEqual(await stack.ledger.balance(user.id), {
      balance: 5 * price - spent,
      held: 0,
      available: 5 * price - spent,
    });
    await stack.assertInvariants();
  });

  void it('a shutdown makes the starts still waiting before it closes', async (t) => {
    // Registered before the stack's own close: a failed assertion must not leave its drain waiting.
    const slot = busySlot();
    t.after(slot.release);
    const { stack, api } = await oneSlotStack(t, 3);
    void stack.jobStarts!.start('job_test_blocker', slot.start);
    const jobs: JobView[] = [];
    for (let i = 0; i < 3; i++)
      jobs.push(await createJob(api, { prompt: `Answered before a shutdown ${i}` }));
    assert.deepEqual(stack.jobStarts!.counts(), { inFlight: 1, waiting: 3 });

    // The slot is freed only once the rest of the stack has had time to close: the drain must wait.
    const closed = stack.close();
    await new Promise((r) => setTimeout(r, 1_500));
    slot.release();
    await closed;

    const connection = await Connection.connect({ address: (await testTemporal()).address });
    t.after(() => connection.close());
    const temporal = new Client({ connection });
    for (const job of jobs) assert.equal(await workflowExists(temporal, job.id), true, `${job.id} started`);
    // The shared server outlives the stack: its workers' schedules and these jobs go with it.
    for (const id of [reconcileScheduleId(stack.taskQueue), kieBalanceScheduleId(stack.taskQueue)])
      await temporal.schedule.getHandle(id).delete();
    for (const job of jobs) await temporal.workflow.getHandle(videoWorkflowId(job.id)).terminate('test over');
  });

  void it('a cancel of a job no process here is starting, with no workflow yet, answers 503 and changes nothing', async (t) => {
    // What another API replica's create leaves until its start is made: the record and the hold.
    const { stack, price, user, api } = await oneSlotStack(t, 1);
    const jobId = 'job_started_elsewhere_1';
    const held = await stack.ledger.reserveAndRecordJob({
      job: {
        id: jobId,
        userId: user.id,
        model: 'veo3_fast',
        request: videoRequest(),
        price,
        state: 'queued',
      },
      amount: price,
    });
    assert.equal(held.ok, true);
    const reply = await api('POST', `/v1/videos/${jobId}/cancel`);
    assertProblem(reply, 503);
    assert.ok(Number(reply.headers.get('retry-after')) >= 1);
    assert.equal((await stack.ledger.getJob(jobId))?.state, 'queued');
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: price, held: price, available: 0 });
  });

  void it('a start that waited past half the grace period is not made: its hold is given back', async (t) => {
    // RECONCILE_GRACE_MS 2 s: a create answered before its start waits at most 1 s for it.
    // Registered before the stack's own close: a failed assertion must not leave its drain waiting.
    const slot = busySlot();
    t.after(slot.release);
    const { stack, price, user, api } = await oneSlotStack(t, 1, { RECONCILE_GRACE_MS: '2000' });
    const blocker = stack.jobStarts!.start('job_test_blocker', slot.start);
    const job = await createJob(api, { prompt: 'Waits too long for its start' });
    assert.equal(job.state, 'queued');
    await new Promise((r) => setTimeout(r, 1_500));
    slot.release();
    await blocker;
    await stack.jobStarts!.settled(job.id);
    const record = await stack.ledger.getJob(job.id);
    assert.equal(record?.state, 'failed');
    assert.equal(record?.error?.code, 'start_failed');
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: price, held: 0, available: price });
    assert.equal(await workflowExists(stack.temporal.client, job.id), false);
    await stack.assertInvariants();
  });
});
