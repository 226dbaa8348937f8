/** 1080p that never comes, archive faults, deadline and cancellation (the cancel policy, no free files). */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
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

  it('cancel while generating (default policy): canceled, the model price charged, the 1080p part given back', async (t) => {
    const stack = await startTestStack(t, { sim: { durationsMs: { veo3_fast: 60_000 } } });
    const user = await stack.user(100);
    const { jobId, handle } = await stack.start(user.id, { hd: true });
    await until(async () => (await handle!.query(progressQuery)).state === 'generating');
    await handle!.cancel();
    const result = await stack.wait(jobId);
    assert.equal(result.state, 'canceled');
    // KIE accepted the task and charged the operator: the user pays the model, not the 1080p.
    const { veo3_fast: modelPrice } = stack.config.prices;
    const left = 100 - modelPrice;
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: left, held: 0, available: left });
    const job = await stack.ledger.getJob(jobId);
    assert.equal(job?.state, 'canceled');
    assert.equal(job?.charged, modelPrice);
    assert.equal(stack.simulator!.stats().generateCalls, 1);
    await stack.assertInvariants();
  });

  it('cancel while generating with CANCEL_AFTER_SUBMIT=refund: canceled, everything given back', async (t) => {
    const stack = await startTestStack(t, {
      env: { CANCEL_AFTER_SUBMIT: 'refund' },
      sim: { durationsMs: { veo3_fast: 60_000 } },
    });
    const user = await stack.user(100);
    const { jobId, handle } = await stack.start(user.id);
    await until(async () => (await handle!.query(progressQuery)).state === 'generating');
    await handle!.cancel();
    assert.equal((await stack.wait(jobId)).state, 'canceled');
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: 100, held: 0, available: 100 });
    assert.equal((await stack.ledger.getJob(jobId))?.charged, null);
    await stack.assertInvariants();
  });

  it('cancel before KIE has the task: canceled, everything given back, nothing submitted', async (t) => {
    // One generation per window, taken by the first job: the second waits, queued, for its slot.
    const stack = await startTestStack(t, { env: { KIE_GENERATIONS_PER_10S: '1' } });
    const user = await stack.user(200);
    const blocker = await stack.start(user.id);
    // The first job holds the window's one slot (its record leaves `queued` when it gets it)…
    await until(async () => (await stack.ledger.getJob(blocker.jobId))?.state !== 'queued', 30_000);
    // …so the second waits at least ~10 s for its own: the cancel lands long before.
    const { jobId, handle } = await stack.start(user.id);
    assert.equal((await stack.ledger.getJob(jobId))?.state, 'queued');
    await handle!.cancel();
    assert.equal((await stack.wait(jobId)).state, 'canceled');
    assert.equal((await stack.ledger.getJob(jobId))?.charged, null);
    assert.equal((await stack.ledger.getJob(jobId))?.kieTaskId, null);
    await stack.wait(blocker.jobId);
    await stack.assertInvariants();
  });

  it('cancel while the 1080p is archived: nothing of the job stays downloadable', async (t) => {
    // Each download takes ~3 s: the original is archived, then the cancel lands during the 1080p's.
    const stack = await startTestStack(t, {
      sim: { faults: { download: 'slow', slowBytesPerSec: 512 * 1024, videoBytes: 1536 * 1024 } },
      timing: { archiveHeartbeatTimeoutMs: 10_000 },
    });
    const user = await stack.user(100);
    const { jobId, handle } = await stack.start(user.id, { hd: true });
    await until(async () => {
      const p = await handle!.query(progressQuery);
      return p.state === 'archiving' && p.files.length === 1;
    }, 60_000);
    const jobDir = path.join(stack.config.archiveDir, 'videos', jobId);
    assert.deepEqual(await filesIn(jobDir), ['original.mp4'], 'the original is archived before the cancel');
    await handle!.cancel();
    const result = await stack.wait(jobId);
    assert.equal(result.state, 'canceled');

    const view = await fetch(`${stack.apiUrl}/v1/videos/${jobId}`, {
      headers: { authorization: `Bearer ${user.apiKey}` },
    });
    assert.deepEqual(((await view.json()) as { files: unknown[] }).files, []);
    for (const variant of ['original', '1080p']) {
      const res = await fetch(`${stack.apiUrl}/v1/videos/${jobId}/content?variant=${variant}`, {
        headers: { authorization: `Bearer ${user.apiKey}` },
      });
      assert.equal(res.status, 404, `${variant} of a canceled job`);
      await res.body?.cancel();
    }
    // The 1080p download may still finish after the cancel: it removes its own file then (or, cancelled
    // at its next heartbeat, its temporary one).
    await until(async () => (await filesIn(jobDir, { hidden: true })).length === 0, 20_000);
    const { veo3_fast: modelPrice } = stack.config.prices;
    assert.equal((await stack.ledger.getJob(jobId))?.charged, modelPrice);
    assert.equal((await stack.ledger.balance(user.id)).held, 0);
    await stack.assertInvariants();
  });
});

/** The files of a folder (none if it does not exist); without the storage's hidden temporary files. */
async function filesIn(dir: string, opts: { hidden?: boolean } = {}): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => opts.hidden || !f.startsWith('.')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
