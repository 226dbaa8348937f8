/**
 * The happy paths: completion detected by KIE's callback (through our real webhook), or by polling
 * when the callback never comes; duplicate, late, early and foreign callbacks change nothing.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tsToMs } from '@temporalio/common/lib/time.js';
import { ALL_PATCHES_MARKER } from '../../src/workflows/generate-video.js';
import { patchMarkerIds, versionUpserts } from '../support/history.js';
import { startTestStack } from '../support/stack.js';

describe('generateVideo: callback and polling', () => {
  it('succeeds through the callback, archives original and 1080p with the bytes KIE served, captures the hold', async (t) => {
    const stack = await startTestStack(t);
    const user = await stack.user(500);
    const { jobId, reservation, handle } = await stack.start(user.id, { hd: true });
    assert.deepEqual(reservation, { ok: true });

    const result = await stack.wait(jobId);
    assert.equal(result.state, 'succeeded', JSON.stringify(result.error));
    assert.equal(result.detection?.channel, 'callback');
    // A new job takes every patch under one marker: one version upsert, one visibility write.
    const { events } = await handle!.fetchHistory();
    assert.deepEqual(patchMarkerIds(events), [ALL_PATCHES_MARKER]);
    assert.equal(versionUpserts(events), 1);
    assert.equal(result.hd, 'ready');
    assert.deepEqual(result.files.map((f) => f.variant).sort(), ['1080p', 'original']);

    const taskId = result.kieTaskId!;
    for (const file of result.files) {
      const bytes = await readFile(path.join(stack.config.archiveDir, file.key));
      const sha = createHash('sha256').update(bytes).digest('hex');
      assert.equal(sha, file.sha256);
      assert.equal(bytes.length, file.size);
      assert.equal(sha, stack.simulator!.videoSha256(taskId, file.variant as 'original' | '1080p'));
      assert.equal(bytes.subarray(4, 8).toString('latin1'), 'ftyp');
    }

    // 1080p delivered: the model's price + the 1080p price, all of the hold.
    const price = stack.config.prices.veo3_fast + stack.config.prices.hd;
    assert.deepEqual(await stack.ledger.balance(user.id), {
      balance: 500 - price,
      held: 0,
      available: 500 - price,
    });
    const job = await stack.ledger.getJob(jobId);
    assert.equal(job?.state, 'succeeded');
    assert.equal(job?.price, price);
    assert.equal(job?.charged, price);
    await stack.assertInvariants();
  });

  it('completes by polling when the callback is dropped', async (t) => {
    const stack = await startTestStack(t, {
      sim: { faults: { callback: 'drop' } },
      timing: { firstPollAfterMs: 1500 },
    });
    const user = await stack.user(100);
    const { jobId } = await stack.start(user.id);
    const result = await stack.wait(jobId);
    assert.equal(result.state, 'succeeded');
    assert.equal(result.detection?.channel, 'poll');
    assert.equal(result.callbacks.received, 0);
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: 20, held: 0, available: 20 });
    await stack.assertInvariants();
  });

  it('a burst of jobs spreads its first polls over 1–1.25 × firstPollAfterMs; each completes by its poll', async (t) => {
    const firstPollAfterMs = 2_000;
    const stack = await startTestStack(t, {
      sim: { faults: { callback: 'drop' } },
      timing: { firstPollAfterMs },
    });
    const user = await stack.user(1000);
    const started = await Promise.all(Array.from({ length: 8 }, () => stack.start(user.id)));
    const delays: number[] = [];
    for (const { jobId, handle } of started) {
      const result = await stack.wait(jobId);
      assert.equal(result.state, 'succeeded');
      assert.equal(result.detection?.channel, 'poll');
      // The first timer is the wait for KIE's result (callbacks dropped: it fired, as the poll).
      const { events } = await handle!.fetchHistory();
      const timer = events!.find((e) => e.timerStartedEventAttributes)!.timerStartedEventAttributes!;
      delays.push(tsToMs(timer.startToFireTimeout));
    }
    for (const ms of delays) assert.ok(ms >= firstPollAfterMs && ms <= 1.25 * firstPollAfterMs, `${ms} ms`);
    assert.ok(new Set(delays).size > 1, `spread: ${delays.join(', ')} ms`);
    await stack.assertInvariants();
  });

  for (const fault of ['duplicate', 'reorder', 'early'] as const) {
    it(`ignores ${fault} callbacks: one completion, one capture`, async (t) => {
      const stack = await startTestStack(t, { sim: { faults: { callback: fault } } });
      const user = await stack.user(100);
      const { jobId } = await stack.start(user.id);
      const result = await stack.wait(jobId);
      assert.equal(result.state, 'succeeded');
      assert.equal(result.files.length, 1);
      // Detected by the callback, not by the poll 4 s later: a lost (early) callback would show as 'poll'.
      assert.equal(result.detection?.channel, 'callback');
      if (fault === 'duplicate' || fault === 'reorder') {
        // KIE sent the task's callback twice; the API signalled it once (src/services/callback-gate.ts).
        assert.ok(stack.simulator!.task(result.kieTaskId!)!.callbacks.length >= 2);
        assert.deepEqual(result.callbacks, { received: 1, ignored: 0 }, 'deduplicated before signalling');
      } else
        assert.deepEqual(result.callbacks, { received: 1, ignored: 0 }, 'the early callback was adopted');
      assert.deepEqual(await stack.ledger.balance(user.id), { balance: 20, held: 0, available: 20 });
      const captures = (await stack.ledger.entries(user.id, 100)).filter((e) => e.kind === 'capture');
      assert.equal(captures.length, 1);
      await stack.assertInvariants();
    });
  }

  it('ignores a foreign-task callback, and a late one after the job ended', async (t) => {
    const stack = await startTestStack(t, { sim: { faults: { foreignCallback: true } } });
    const user = await stack.user(100);
    const { jobId } = await stack.start(user.id);
    const result = await stack.wait(jobId);
    assert.equal(result.state, 'succeeded');
    // The foreign task's callback never counted: stopped by the API (the job waits for another
    // task) or, when it came before the job knew its task, ignored by the workflow.
    assert.equal(result.callbacks.received - result.callbacks.ignored, 1, JSON.stringify(result.callbacks));
    assert.equal(result.detection?.channel, 'callback');

    // Late: replay KIE's callback for the finished job through the webhook; the job stays as it was.
    const sent = stack.simulator!.task(result.kieTaskId!)!.callbacks[0]!;
    const res = await fetch(sent.url, { method: 'POST', headers: sent.headers, body: sent.body });
    assert.equal(res.status, 200);
    assert.equal((await stack.wait(jobId)).state, 'succeeded');
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: 20, held: 0, available: 20 });
    await stack.assertInvariants();
  });
});
