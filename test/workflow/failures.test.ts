/**
 * Every way a job can fail after its credits were held ends with the hold released, exactly once;
 * refusals at start hold nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { ALL_PATCHES_MARKER } from '../../src/workflows/generate-video.js';
import { patchMarkerIds } from '../support/history.js';
import { startTestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { videoWorkflowId, type GenerateVideoInput } from '../../src/workflows/job-types.js';

describe('generateVideo: KIE failures release the hold', () => {
  const outcomes = [
    { successFlag: 2, errorCode: 500, label: 'successFlag 2 (code 500)' },
    { successFlag: 3, errorCode: 501, label: 'successFlag 3 (code 501)' },
    { successFlag: 2, errorCode: 400, label: 'content policy (code 400)' },
    { successFlag: 2, errorCode: 422, label: 'rejected by Flow (code 422)' },
  ] as const;

  for (const o of outcomes) {
    it(`fails with KIE's reason on ${o.label}`, async (t) => {
      const stack = await startTestStack(t, {
        sim: { faults: { outcome: { successFlag: o.successFlag, errorCode: o.errorCode } } },
      });
      const user = await stack.user(100);
      const { jobId } = await stack.start(user.id);
      const result = await stack.wait(jobId);
      assert.equal(result.state, 'failed');
      assert.equal(result.error?.source, 'kie');
      assert.equal(result.error?.code, String(o.errorCode));
      assert.ok(result.error?.message.length, 'carries KIE message');
      assert.deepEqual(await stack.ledger.balance(user.id), { balance: 100, held: 0, available: 100 });
      const job = await stack.ledger.getJob(jobId);
      assert.equal(job?.state, 'failed');
      await stack.assertInvariants();
    });
  }
});

describe('generateVideo: submit answers', () => {
  it('402 from KIE: job failed, breaker opens, next start rejected until closed', async (t) => {
    const stack = await startTestStack(t, { sim: { faults: { generateResponses: [{ code: 402 }] } } });
    const user = await stack.user(500);
    const first = await stack.start(user.id);
    const result = await stack.wait(first.jobId);
    assert.equal(result.state, 'failed');
    assert.equal(result.error?.code, '402');
    assert.equal((await stack.ledger.breaker()).open, true);

    const second = await stack.start(user.id);
    assert.equal(second.reservation.ok, false);
    assert.equal(!second.reservation.ok && second.reservation.reason, 'breaker_open');

    await stack.ledger.closeBreaker();
    const third = await stack.start(user.id);
    assert.deepEqual(third.reservation, { ok: true });
    const thirdResult = await stack.wait(third.jobId);
    assert.equal(thirdResult.state, 'succeeded', JSON.stringify(thirdResult.error));
    const left = 500 - stack.config.prices.veo3_fast;
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: left, held: 0, available: left });
    await stack.assertInvariants();
  });

  it('422 from KIE: failed, not retried, released', async (t) => {
    const stack = await startTestStack(t, {
      sim: { faults: { generateResponses: [{ code: 422, msg: 'Invalid model' }] } },
    });
    const user = await stack.user(100);
    const { jobId } = await stack.start(user.id);
    const result = await stack.wait(jobId);
    assert.equal(result.state, 'failed');
    assert.equal(result.error?.code, '422');
    assert.equal(stack.simulator!.stats().generateCalls, 1);
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: 100, held: 0, available: 100 });
    await stack.assertInvariants();
  });

  for (const [fault, what] of [
    ['malformed', 'a success reply without a task id'],
    ['gateway-error', "a gateway's 502 page instead of KIE's answer"],
  ] as const)
    it(`${what} is ambiguous: never sent again; KIE's callback names the task and the job goes on with it`, async (t) => {
      const stack = await startTestStack(t, { sim: { faults: { generateReply: fault } } });
      const user = await stack.user(100);
      const creditsBefore = stack.simulator!.credits();
      const { jobId, handle } = await stack.start(user.id);
      const result = await stack.wait(jobId);
      assert.equal(result.state, 'succeeded', JSON.stringify(result.error));
      // Waiting for the callback is taken under the job's one patch marker, without one of its own.
      assert.deepEqual(patchMarkerIds((await handle!.fetchHistory()).events), [ALL_PATCHES_MARKER]);
      assert.equal(stack.simulator!.stats().generateCalls, 1, 'one generate: KIE charged us once');
      assert.ok(stack.simulator!.credits() < creditsBefore, 'the simulator did create (and charge) the task');
      assert.ok(stack.simulator!.task(result.kieTaskId!), 'the adopted task is the one KIE made');
      assert.equal(result.files[0]?.sha256, stack.simulator!.videoSha256(result.kieTaskId!, 'original'));
      const job = await stack.ledger.getJob(jobId);
      assert.equal(job?.kieTaskId, result.kieTaskId, 'the job record names the adopted task');
      const left = 100 - stack.config.prices.veo3_fast;
      assert.deepEqual(await stack.ledger.balance(user.id), { balance: left, held: 0, available: left });
      await stack.assertInvariants();
    });

  it('ambiguous, and no callback comes before the deadline: failed as submit_ambiguous, released, never sent again', async (t) => {
    const stack = await startTestStack(t, {
      sim: { faults: { generateReply: 'malformed', callback: 'drop' } },
      timing: { generationDeadlineMs: 4_000 },
    });
    const user = await stack.user(100);
    const { jobId } = await stack.start(user.id);
    const result = await stack.wait(jobId);
    assert.equal(result.state, 'failed');
    assert.equal(result.error?.code, 'submit_ambiguous');
    assert.equal(result.kieTaskId, null);
    assert.equal(stack.simulator!.stats().generateCalls, 1, 'one generate: KIE charged us once at most');
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: 100, held: 0, available: 100 });
    await stack.assertInvariants();
  });

  it('KIE_GENERATION_DEADLINE_S reaches a job created through the API; a cancel while it waits for the callback refunds it all', async (t) => {
    const stack = await startTestStack(t, {
      env: { KIE_GENERATION_DEADLINE_S: '75' },
      sim: { faults: { generateReply: 'malformed', callback: 'drop' } },
    });
    const user = await stack.user(100);
    const res = await fetch(`${stack.apiUrl}/v1/videos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'A lighthouse in a storm' }),
    });
    assert.equal(res.status, 202, await res.clone().text());
    const { id } = (await res.json()) as { id: string };
    const history = await stack.temporal.client.workflow.getHandle(videoWorkflowId(id)).fetchHistory();
    const payload = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const input = defaultPayloadConverter.fromPayload<GenerateVideoInput>(payload);
    assert.equal(input.timing?.generationDeadlineMs, 75_000);
    // The submit failed as ambiguous, and the job waits for KIE's callback (it will not come): a cancel
    // meanwhile refunds it all, KIE's task never having been known.
    const handle = stack.temporal.client.workflow.getHandle(videoWorkflowId(id));
    await waitFor(
      'the submit to fail as ambiguous',
      async () =>
        (await handle.fetchHistory()).events?.some((e) => e.activityTaskFailedEventAttributes)
          ? true
          : undefined,
      30_000,
      200,
    );
    await stack.temporal.client.workflow.getHandle(videoWorkflowId(id)).cancel();
    const result = await stack.wait(id);
    assert.equal(result.state, 'canceled');
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: 100, held: 0, available: 100 });
    assert.equal(stack.simulator!.stats().generateCalls, 1);
    await stack.assertInvariants();
  });

  it('KIE answers generate only after our timeout: ambiguous, never sent again; adopted from its callback', async (t) => {
    const stack = await startTestStack(t, {
      env: { KIE_TIMEOUT_MS: '1000' },
      sim: { faults: { generateReplyDelayMs: 3_000 } },
    });
    const user = await stack.user(100);
    const { jobId } = await stack.start(user.id);
    const result = await stack.wait(jobId);
    assert.equal(result.state, 'succeeded', JSON.stringify(result.error));
    assert.equal(stack.simulator!.stats().generateCalls, 1, 'KIE made the task once; we never asked again');
    const left = 100 - stack.config.prices.veo3_fast;
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: left, held: 0, available: left });
    await stack.assertInvariants();
  });

  it('a burst of 429 is retried, then succeeds', async (t) => {
    const stack = await startTestStack(t, {
      sim: { faults: { generateResponses: [{ code: 429 }, { code: 429 }, { code: 429 }, { code: 455 }] } },
    });
    const user = await stack.user(100);
    const { jobId } = await stack.start(user.id);
    const result = await stack.wait(jobId);
    assert.equal(result.state, 'succeeded', JSON.stringify(result.error));
    assert.equal(stack.simulator!.stats().generateCalls, 5);
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: 20, held: 0, available: 20 });
    await stack.assertInvariants();
  });
});

describe('generateVideo: refused at start, nothing held', () => {
  it('not enough credits → rejected synchronously', async (t) => {
    const stack = await startTestStack(t);
    const user = await stack.user(50);
    const { jobId, reservation } = await stack.start(user.id);
    assert.equal(reservation.ok, false);
    assert.equal(!reservation.ok && reservation.reason, 'insufficient_credits');
    assert.equal((await stack.ledger.getJob(jobId))?.state, 'rejected');
    // A refusal starts nothing: no workflow, no KIE call.
    await assert.rejects(stack.wait(jobId), WorkflowNotFoundError);
    assert.equal(stack.simulator!.stats().generateCalls, 0);
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: 50, held: 0, available: 50 });
    await stack.assertInvariants();
  });

  it('user at their concurrency cap → rejected', async (t) => {
    const stack = await startTestStack(t, { sim: { durationsMs: { veo3_fast: 3000 } } });
    const user = await stack.user(1000, { concurrencyCap: 1 });
    const first = await stack.start(user.id);
    assert.deepEqual(first.reservation, { ok: true });
    const second = await stack.start(user.id);
    assert.equal(!second.reservation.ok && second.reservation.reason, 'concurrency_cap');
    const price = stack.config.prices.veo3_fast;
    assert.deepEqual(await stack.ledger.balance(user.id), {
      balance: 1000,
      held: price,
      available: 1000 - price,
    });
    const firstResult = await stack.wait(first.jobId);
    assert.equal(firstResult.state, 'succeeded', JSON.stringify(firstResult.error));
    await stack.assertInvariants();
  });
});
