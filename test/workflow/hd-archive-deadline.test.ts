/** 1080p that never comes, archive faults, deadline and cancellation. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { progressQuery } from '../../src/workflows/definitions.js';
import { startTestStack } from '../support/stack.js';

async function until(check: () => Promise<boolean>, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not met in time');
}

describe('generateVideo: 1080p and archive', () => {
  it('1080p never ready within the window: succeeded with the original only, HD unavailable', async (t) => {
    const stack = await startTestStack(t, {
      sim: { faults: { hd1080: 'never' } },
      timing: { hdWindowMs: 1500 },
    });
    const user = await stack.user(100);
    const { jobId } = await stack.start(user.id, { hd: true });
    const result = await stack.wait(jobId);
    assert.equal(result.state, 'succeeded');
    assert.equal(result.hd, 'unavailable');
    assert.match(result.hdNote ?? '', /not ready/);
    assert.deepEqual(
      result.files.map((f) => f.variant),
      ['original'],
    );
    // Held the model's price + the 1080p price; paid the model's price only.
    const { veo3_fast: modelPrice, hd: hdPrice } = stack.config.prices;
    assert.ok(hdPrice > 0);
    const entries = (await stack.ledger.entries(user.id, 10)).filter((e) => e.jobId === jobId);
    assert.deepEqual(
      entries.map((e) => [e.kind, e.amount]),
      [
        ['capture', modelPrice],
        ['hold', modelPrice + hdPrice],
      ],
    );
    const left = 100 - modelPrice;
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: left, held: 0, available: left });
    const job = await stack.ledger.getJob(jobId);
    assert.equal(job?.price, modelPrice + hdPrice);
    assert.equal(job?.charged, modelPrice);
    await stack.assertInvariants();
  });

  it('KIE refuses the 1080p: still succeeded with the original, HD unavailable, HD part refunded', async (t) => {
    const stack = await startTestStack(t, { sim: { faults: { hd1080: 'refused' } } });
    const user = await stack.user(100);
    const { jobId } = await stack.start(user.id, { hd: true });
    const result = await stack.wait(jobId);
    assert.equal(result.state, 'succeeded', JSON.stringify(result.error));
    assert.equal(result.hd, 'unavailable');
    assert.match(result.hdNote ?? '', /record result data is blank/);
    assert.deepEqual(
      result.files.map((f) => f.variant),
      ['original'],
    );
    const { veo3_fast: modelPrice } = stack.config.prices;
    assert.equal((await stack.ledger.balance(user.id)).balance, 100 - modelPrice);
    await stack.assertInvariants();
  });

  it('HD asked with aspect ratio Auto (KIE cannot upgrade it): succeeded, HD not supported, not charged', async (t) => {
    const stack = await startTestStack(t);
    const user = await stack.user(100);
    const { jobId } = await stack.start(user.id, { hd: true, aspectRatio: 'Auto' });
    const result = await stack.wait(jobId);
    assert.equal(result.state, 'succeeded', JSON.stringify(result.error));
    assert.equal(result.hd, 'not_supported');
    assert.equal(stack.simulator!.stats().generateCalls, 1);
    const { veo3_fast: modelPrice } = stack.config.prices;
    assert.equal((await stack.ledger.balance(user.id)).balance, 100 - modelPrice);
    await stack.assertInvariants();
  });

  it('HD asked but KIE made the video with its legacy fallback model: succeeded, HD not supported, not charged', async (t) => {
    const stack = await startTestStack(t, { sim: { faults: { fallback: true } } });
    const user = await stack.user(100);
    const { jobId } = await stack.start(user.id, { hd: true });
    const result = await stack.wait(jobId);
    assert.equal(result.state, 'succeeded', JSON.stringify(result.error));
    assert.equal(result.hd, 'not_supported');
    assert.match(result.hdNote ?? '', /fallback/);
    assert.deepEqual(
      result.files.map((f) => f.variant),
      ['original'],
    );
    const sim = stack.simulator!;
    assert.equal(result.files[0]?.sha256, sim.videoSha256(result.kieTaskId!, 'original'));
    // The workflow trusted record-info's fallbackFlag and never asked for the 1080p.
    assert.equal(sim.task(result.kieTaskId!)?.hd1080, null);
    const { veo3_fast: modelPrice, hd: hdPrice } = stack.config.prices;
    const job = await stack.ledger.getJob(jobId);
    assert.equal(job?.price, modelPrice + hdPrice);
    assert.equal(job?.charged, modelPrice);
    assert.equal((await stack.ledger.balance(user.id)).balance, 100 - modelPrice);
    await stack.assertInvariants();
  });

  it('expired result URL is refreshed through download-url', async (t) => {
    const stack = await startTestStack(t, { sim: { urlTtlMs: 1, callbackRetryDelayMs: 100 } });
    const user = await stack.user(100);
    const { jobId } = await stack.start(user.id);
    const result = await stack.wait(jobId);
    assert.equal(result.state, 'succeeded', JSON.stringify(result.error));
    assert.equal(result.files[0]?.sha256, stack.simulator!.videoSha256(result.kieTaskId!, 'original'));
    await stack.assertInvariants();
  });

  it('a truncated download is retried and the archive is whole', async (t) => {
    const stack = await startTestStack(t, { sim: { faults: { download: 'truncate-once' } } });
    const user = await stack.user(100);
    const { jobId } = await stack.start(user.id);
    const result = await stack.wait(jobId);
    assert.equal(result.state, 'succeeded', JSON.stringify(result.error));
    assert.equal(result.files[0]?.sha256, stack.simulator!.videoSha256(result.kieTaskId!, 'original'));
    await stack.assertInvariants();
  });

  it('non-MP4 bytes: failed, released', async (t) => {
    const stack = await startTestStack(t, { sim: { faults: { download: 'not-mp4' } } });
    const user = await stack.user(100);
    const { jobId } = await stack.start(user.id);
    const result = await stack.wait(jobId);
    assert.equal(result.state, 'failed');
    assert.equal(result.error?.source, 'archive');
    assert.equal(result.error?.code, 'not_mp4');
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: 100, held: 0, available: 100 });
    await stack.assertInvariants();
  });
});

describe('generateVideo: deadline and cancellation', () => {
  it('no result before the deadline: timed_out, released', async (t) => {
    const stack = await startTestStack(t, {
      sim: { durationsMs: { veo3_fast: 60_000 } },
      timing: { firstPollAfterMs: 500, pollIntervalMs: 500, generationDeadlineMs: 2_000 },
    });
    const user = await stack.user(100);
    const { jobId } = await stack.start(user.id);
    const result = await stack.wait(jobId);
    assert.equal(result.state, 'timed_out');
    assert.equal(result.error?.source, 'deadline');
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: 100, held: 0, available: 100 });
    await stack.assertInvariants();
  });

  it('cancel while generating: canceled, released', async (t) => {
    const stack = await startTestStack(t, { sim: { durationsMs: { veo3_fast: 60_000 } } });
    const user = await stack.user(100);
    const { jobId, handle } = await stack.start(user.id);
    await until(async () => (await handle!.query(progressQuery)).state === 'generating');
    await handle!.cancel();
    const result = await stack.wait(jobId);
    assert.equal(result.state, 'canceled');
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: 100, held: 0, available: 100 });
    const job = await stack.ledger.getJob(jobId);
    assert.equal(job?.state, 'canceled');
    await stack.assertInvariants();
  });
});
