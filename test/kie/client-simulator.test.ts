/**
 * The client against the KIE simulator over real HTTP: every endpoint and its lifecycle — generate →
 * record-info, 1080p pending then ready, 4K started → processing → ready, extend, credits,
 * download-url refresh of an expired URL, and the Market jobs API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createKieClient, type KieClient } from '../../src/kie/index.js';
import { startKieSimulator, type KieSimulator } from '../../src/kie-sim/index.js';
import { download, FAST, rejectsWith, SIM_KEY, waitFor } from './sim-helpers.js';

let sim: KieSimulator;
let kie: KieClient;

before(async () => {
  sim = await startKieSimulator(FAST);
  kie = createKieClient({ baseUrl: sim.url, apiKey: SIM_KEY, timeoutMs: 5_000 });
});
after(() => sim.close());

const succeeded = (taskId: string) =>
  waitFor(`task ${taskId} to succeed`, async () => {
    const r = await kie.recordInfo(taskId);
    return r.state === 'succeeded' ? r : undefined;
  });

void describe('Veo generation lifecycle', () => {
  void it('generate → record-info generating → succeeded with downloadable result URLs', async () => {
    const { taskId } = await kie.generate({
      prompt: 'A lighthouse at dawn',
      model: 'veo3_fast',
      aspectRatio: '9:16',
    });
    assert.match(taskId, /^veo_task_/);
    assert.equal(sim.task(taskId)?.aspectRatio, '9:16', 'the simulator read aspect_ratio');

    const first = await kie.recordInfo(taskId);
    assert.equal(first.state, 'generating');
    assert.equal(first.successFlag, 0);
    assert.deepEqual(first.resultUrls, []);
    assert.equal(first.completeTime, null);
    assert.ok(first.createTime instanceof Date);

    const done = await succeeded(taskId);
    assert.equal(done.taskId, taskId);
    assert.equal(done.successFlag, 1);
    assert.equal(done.resultUrls.length, 1);
    assert.equal(done.originUrls.length, 1, '9:16 tasks carry originUrls');
    assert.ok(done.completeTime instanceof Date);
    assert.equal(done.params?.aspectRatio, '9:16');
    const file = await download(done.resultUrls[0]!);
    assert.deepEqual(file, { status: 200, sha256: sim.videoSha256(taskId, 'original') });
  });

  void it('a task whose generation fails upstream reads as failed with KIE’s error code', async () => {
    sim.setFaults({ outcome: { successFlag: 3, errorCode: 501 } });
    try {
      const { taskId } = await kie.generate({ prompt: 'doomed', model: 'veo3_fast' });
      const failed = await waitFor('failure', async () => {
        const r = await kie.recordInfo(taskId);
        return r.state === 'failed' ? r : undefined;
      });
      assert.equal(failed.successFlag, 3);
      assert.equal(failed.errorCode, 501);
      assert.ok(failed.errorMessage);
      assert.deepEqual(failed.resultUrls, []);
    } finally {
      sim.setFaults({});
    }
  });

  void it('record-info of an unknown task → 422 permanent', async () => {
    await rejectsWith(kie.recordInfo('veo_task_nope'), {
      code: 422,
      kind: 'permanent',
      endpoint: 'record-info',
    });
  });
});

void describe('1080p', () => {
  void it('is pending (400 "processing") right after success, then ready with the 1080p file', async () => {
    const { taskId } = await kie.generate({ prompt: 'hd please', model: 'veo3_fast' });
    await succeeded(taskId);
    const pending = await kie.get1080p(taskId);
    assert.equal(pending.status, 'pending');
    assert.match(pending.status === 'pending' ? pending.message : '', /processing/);
    const ready = await waitFor('1080p', async () => {
      const r = await kie.get1080p(taskId, 0);
      return r.status === 'ready' ? r : undefined;
    });
    assert.deepEqual(await download(ready.url), { status: 200, sha256: sim.videoSha256(taskId, '1080p') });
  });

  void it('"processing" answered as code 500 is pending too', async () => {
    sim.setFaults({ hd1080: 'pending-as-500' });
    try {
      const { taskId } = await kie.generate({ prompt: 'hd as 500', model: 'veo3_fast' });
      await succeeded(taskId);
      assert.equal((await kie.get1080p(taskId)).status, 'pending');
    } finally {
      sim.setFaults({});
    }
  });

  void it('for a task that has not succeeded → 422 permanent', async () => {
    const { taskId } = await kie.generate({ prompt: 'too early', model: 'veo3_fast' });
    await rejectsWith(kie.get1080p(taskId), { code: 422, kind: 'permanent', endpoint: 'get-1080p-video' });
  });
});

void describe('4K', () => {
  void it('started → processing (422) → ready (422 with URLs)', async () => {
    const { taskId } = await kie.generate({ prompt: '4k please', model: 'veo3_fast' });
    await succeeded(taskId);
    assert.deepEqual(await kie.request4k({ taskId }), { status: 'started' });
    const again = await kie.request4k({ taskId, index: 0 });
    assert.equal(again.status, 'processing');
    const ready = await waitFor('4K', async () => {
      const r = await kie.request4k({ taskId });
      return r.status === 'ready' ? r : undefined;
    });
    assert.equal(ready.urls.length, 1);
    assert.equal(ready.imageUrls.length, 1);
    assert.deepEqual(await download(ready.urls[0]!), { status: 200, sha256: sim.videoSha256(taskId, '4k') });
  });

  void it('of an unknown task → 422 permanent', async () => {
    await rejectsWith(kie.request4k({ taskId: 'veo_task_nope' }), {
      code: 422,
      kind: 'permanent',
      endpoint: 'get-4k-video',
    });
  });
});

void describe('extend', () => {
  void it('creates an extend task that record-info follows to success, with fullResultUrls', async () => {
    const { taskId: parent } = await kie.generate({ prompt: 'start', model: 'veo3_fast' });
    await succeeded(parent);
    const { taskId } = await kie.extend({
      taskId: parent,
      prompt: 'and then',
      model: 'quality',
      seeds: 12345,
    });
    assert.match(taskId, /^veo_extend_task_/);
    const done = await succeeded(taskId);
    assert.equal(done.resultUrls.length, 1);
    assert.deepEqual(done.fullResultUrls, done.resultUrls);
  });

  void it('of a task that is not finished → 422 permanent', async () => {
    const { taskId } = await kie.generate({ prompt: 'unfinished', model: 'veo3_fast' });
    await rejectsWith(kie.extend({ taskId, prompt: 'more' }), {
      code: 422,
      kind: 'permanent',
      endpoint: 'extend',
    });
  });
});

void describe('credits and download-url', () => {
  void it('credits reads the account balance', async () => {
    assert.equal(await kie.credits(), sim.credits());
  });

  void it('download-url refreshes an expired result URL', async () => {
    const shortLived = await startKieSimulator({ ...FAST, urlTtlMs: 300 });
    try {
      const client = createKieClient({ baseUrl: shortLived.url, apiKey: SIM_KEY });
      const { taskId } = await client.generate({ prompt: 'expiring', model: 'veo3_fast' });
      const done = await waitFor('success', async () => {
        const r = await client.recordInfo(taskId);
        return r.state === 'succeeded' ? r : undefined;
      });
      const original = done.resultUrls[0]!;
      await waitFor('URL expiry', async () => ((await download(original)).status === 403 ? true : undefined));
      const fresh = await client.downloadUrl(original);
      assert.notEqual(fresh, original);
      assert.deepEqual(await download(fresh), {
        status: 200,
        sha256: shortLived.videoSha256(taskId, 'original'),
      });
    } finally {
      await shortLived.close();
    }
  });

  void it('download-url of a URL KIE did not produce → 422 permanent', async () => {
    await rejectsWith(kie.downloadUrl('https://example.com/not-kie.mp4'), {
      code: 422,
      kind: 'permanent',
      endpoint: 'download-url',
    });
  });
});

void describe('Market jobs API', () => {
  void it('createTask → recordInfo through the states to success with result URLs', async () => {
    const { taskId } = await kie.marketCreateTask({
      model: 'google/nano-banana',
      input: { prompt: 'a banana', output_format: 'png' },
    });
    const first = await kie.marketRecordInfo(taskId);
    assert.ok(['waiting', 'queuing', 'generating'].includes(first.state), first.state);
    assert.deepEqual(first.params, {
      model: 'google/nano-banana',
      input: { prompt: 'a banana', output_format: 'png' },
    });
    const done = await waitFor('market success', async () => {
      const r = await kie.marketRecordInfo(taskId);
      return r.state === 'success' ? r : undefined;
    });
    assert.equal(done.resultUrls.length, 1);
    assert.equal(done.failCode, null);
    assert.ok(done.completeTime instanceof Date);
    assert.equal((await download(done.resultUrls[0]!)).status, 200);
  });

  void it('each model’s record decodes: images, Sora’s watermarked copy and progress, creditsConsumed; a failure', async () => {
    const img = 'https://img.example.com/in.png';
    const requests = [
      {
        model: 'google/imagen4-fast',
        input: { prompt: 'p', num_images: '2' },
        urls: 2,
        marked: 0,
        credits: 8,
      },
      {
        model: 'google/nano-banana-edit',
        input: { prompt: 'p', image_urls: [img] },
        urls: 1,
        marked: 0,
        credits: 4,
      },
      {
        model: 'kling-2.6/text-to-video',
        input: { prompt: 'p', sound: false, aspect_ratio: '9:16', duration: '10' },
        urls: 1,
        marked: 0,
        credits: 110,
      },
      {
        model: 'sora-2-image-to-video',
        input: { prompt: 'p', image_urls: [img] },
        urls: 1,
        marked: 1,
        credits: 30,
      },
    ];
    for (const r of requests) {
      const { taskId } = await kie.marketCreateTask({ model: r.model, input: r.input });
      const done = await waitFor(`${r.model} success`, async () => {
        const rec = await kie.marketRecordInfo(taskId);
        return rec.state === 'success' ? rec : undefined;
      });
      assert.equal(done.model, r.model);
      assert.equal(done.resultUrls.length, r.urls, r.model);
      assert.equal(done.resultWaterMarkUrls.length, r.marked, r.model);
      assert.equal(done.creditsConsumed, r.credits, r.model);
      assert.equal(done.progress, r.marked ? 100 : null, r.model);
      for (const url of [...done.resultUrls, ...done.resultWaterMarkUrls])
        assert.equal((await download(url)).status, 200);
    }
    sim.setFaults({ outcome: { successFlag: 2, errorCode: 500, errorMessage: 'upstream timed out' } });
    try {
      const { taskId } = await kie.marketCreateTask({ model: 'google/nano-banana', input: { prompt: 'p' } });
      const failed = await waitFor('market failure', async () => {
        const rec = await kie.marketRecordInfo(taskId);
        return rec.state === 'fail' ? rec : undefined;
      });
      assert.deepEqual(
        [failed.failCode, failed.failMsg, failed.resultUrls, failed.creditsConsumed],
        ['500', 'upstream timed out', [], 0],
      );
    } finally {
      sim.setFaults({});
    }
  });

  void it('an unknown model → 422 permanent; an unknown task → 422 permanent', async () => {
    await rejectsWith(kie.marketCreateTask({ model: 'nobody/nothing', input: {} }), {
      code: 422,
      msg: 'The page does not exist or is not published',
      kind: 'permanent',
      endpoint: 'jobs/createTask',
    });
    await rejectsWith(kie.marketRecordInfo('task_nope'), {
      code: 422,
      kind: 'permanent',
      endpoint: 'jobs/recordInfo',
    });
  });
});
