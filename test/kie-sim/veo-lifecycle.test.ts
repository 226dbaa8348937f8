/**
 * Veo task lifecycle through record-info (docs/kie-api.md#record-info), failures (successFlag 2/3), the 1080p
 * upgrade (400 "processing" then ready), 4K's 200-then-422 semantics, and extend.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { KieSimulator } from '../../src/kie-sim/index.js';
import {
  FAST,
  api,
  dataOf,
  download,
  firstResultUrl,
  generate,
  recordInfo,
  settled,
  sim,
  sleep,
  waitFor,
  type VeoRecord,
} from './helpers.js';

const KIE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const HD_PROCESSING = '1080P is processing. It should be ready in 1-2 minutes. Please check back shortly.';
const FOURK_PROCESSING = '4k is processing. It should be ready in 5-10 minutes. Please check back shortly.';

let s: KieSimulator;
before(async () => {
  s = await sim();
});

const hd = (taskId: string, index?: number) =>
  api(
    s,
    'GET',
    `/api/v1/veo/get-1080p-video?taskId=${taskId}${index === undefined ? '' : `&index=${index}`}`,
  );
const fourK = (body: object) => api(s, 'POST', '/api/v1/veo/get-4k-video', body);

void describe('record-info', () => {
  void it('generating (successFlag 0, response null) then success with the documented shape', async () => {
    // A task of its own that lasts 2 s: under a loaded CI the first read must still see it generating.
    const s = await sim({ durationsMs: { ...FAST.durationsMs, veo3_fast: 2_000 } });
    const taskId = await generate(s, {
      prompt: 'A lighthouse',
      aspect_ratio: '16:9',
      seeds: 12345,
      watermark: 'KieAI',
      callBackUrl: 'http://127.0.0.1:9/cb',
    });
    const first = await recordInfo(s, taskId);
    assert.equal(first.code, 200);
    const r0 = dataOf<VeoRecord>(first);
    assert.equal(r0.taskId, taskId);
    assert.equal(r0.successFlag, 0);
    assert.equal(r0.response, null);
    assert.equal(r0.completeTime, null);
    assert.match(r0.createTime, KIE_TIME);
    assert.equal(r0.errorCode, null);

    const done = await settled(s, taskId);
    assert.equal(done.successFlag, 1);
    assert.match(done.completeTime!, KIE_TIME);
    assert.equal(done.errorCode, null);
    assert.equal(done.errorMessage, '');
    assert.equal(done.fallbackFlag, false);
    assert.equal(typeof done.paramJson, 'string', 'paramJson is a JSON string');
    assert.deepEqual(JSON.parse(done.paramJson), {
      prompt: 'A lighthouse',
      model: 'veo3_fast',
      generationType: 'TEXT_2_VIDEO',
      aspectRatio: '16:9',
      seeds: 12345,
      enableTranslation: true,
      enableFallback: false,
      waterMark: 'KieAI',
      callBackUrl: 'http://127.0.0.1:9/cb',
    });
    assert.equal(done.response?.taskId, taskId);
    assert.equal(done.response?.resultUrls.length, 1);
    assert.match(done.response.resultUrls[0]!, new RegExp(`^${s.url}/files/[0-9a-f]{32}\\.mp4$`));
    assert.equal(done.response?.originUrls, null, 'no originUrls for 16:9');
    assert.equal(done.response?.resolution, '720p');
    assert.equal(s.task(taskId)?.state, 'succeeded');
  });

  void it('originUrls only when the aspect ratio is not 16:9', async () => {
    for (const aspect_ratio of ['9:16', 'Auto']) {
      const taskId = await generate(s, { aspect_ratio });
      const done = await settled(s, taskId);
      assert.equal(done.response?.originUrls?.length, 1, aspect_ratio);
    }
  });

  void it('result URLs are stable across reads', async () => {
    const taskId = await generate(s);
    const a = await settled(s, taskId);
    const b = dataOf<VeoRecord>(await recordInfo(s, taskId));
    assert.deepEqual(a.response, b.response);
  });

  for (const [successFlag, errorCode] of [
    [2, 400],
    [2, 500],
    [3, 422],
    [3, 501],
  ] as const) {
    void it(`failure: successFlag ${successFlag}, errorCode ${errorCode} with KIE's message`, async () => {
      const taskId = await generate(
        s,
        {},
        { 'x-sim-faults': JSON.stringify({ outcome: { successFlag, errorCode } }) },
      );
      const done = await settled(s, taskId);
      assert.equal(done.successFlag, successFlag);
      assert.equal(done.errorCode, errorCode);
      assert.ok(done.errorMessage.length > 0);
      assert.equal(done.response, null);
      assert.match(done.completeTime!, KIE_TIME);
      assert.equal(s.task(taskId)?.state, 'failed');
    });
  }

  void it('failure with a custom message; the scenario outcome applies to tasks created while set', async () => {
    s.setFaults({
      outcome: {
        successFlag: 2,
        errorCode: 400,
        errorMessage: 'Only English prompts are supported at this time.',
      },
    });
    const failing = await generate(s);
    s.setFaults({});
    const fine = await generate(s);
    const f = await settled(s, failing);
    assert.deepEqual(
      [f.successFlag, f.errorCode, f.errorMessage],
      [2, 400, 'Only English prompts are supported at this time.'],
    );
    assert.equal((await settled(s, fine)).successFlag, 1);
  });

  void it('documented failure messages per code', async () => {
    const messages: Array<[number, RegExp]> = [
      [400, /violating content policies/],
      [422, /^Your request was rejected by Flow\(.+\)\. You may consider using our other fallback channels/],
      [500, /^Internal Error, Please try again later\.$/],
    ];
    for (const [errorCode, msg] of messages) {
      const taskId = await generate(
        s,
        {},
        { 'x-sim-faults': JSON.stringify({ outcome: { successFlag: 2, errorCode } }) },
      );
      assert.match((await settled(s, taskId)).errorMessage, msg);
    }
  });

  void it('unknown task → 422 "record is null"; no taskId → 422', async () => {
    assert.deepEqual(await recordInfo(s, 'veo_task_nope'), { code: 422, msg: 'record is null', data: null });
    assert.equal((await api(s, 'GET', '/api/v1/veo/record-info')).code, 422);
  });

  void it('uses each model’s duration', async () => {
    const s2 = await sim({ durationsMs: { veo3: 600, veo3_fast: 50, veo3_lite: 50 } });
    const slow = await generate(s2, { model: 'veo3' });
    const quick = await generate(s2, { model: 'veo3_lite' });
    await settled(s2, quick);
    assert.equal(dataOf<VeoRecord>(await recordInfo(s2, slow)).successFlag, 0);
    assert.equal((await settled(s2, slow)).successFlag, 1);
  });
});

void describe('1080p', () => {
  void it('"processing" (code 400) right after success, then ready with a distinct downloadable file', async () => {
    const taskId = await generate(s);
    await settled(s, taskId);
    assert.deepEqual(await hd(taskId), { code: 400, msg: HD_PROCESSING, data: null });
    const ready = await waitFor('1080p', async () => {
      const r = await hd(taskId, 0);
      return r.code === 200 ? r : undefined;
    });
    const { resultUrl } = dataOf<{ resultUrl: string }>(ready);
    assert.match(resultUrl, /\/files\/[0-9a-f]{32}\.mp4$/);
    const file = await download(resultUrl);
    assert.equal(file.status, 200);
    assert.equal(s.videoSha256(taskId, '1080p') !== s.videoSha256(taskId, 'original'), true);
    assert.deepEqual(dataOf(await hd(taskId)), { resultUrl }, 'the same URL while valid');
  });

  void it('task not successful → 422 "record status is not success"; unknown → "record is null"; index 1 → 422', async () => {
    const running = await generate(s);
    assert.deepEqual(await hd(running), { code: 422, msg: 'record status is not success', data: null });
    const failed = await generate(s, {}, { 'x-sim-faults': '{"outcome":{"successFlag":3,"errorCode":501}}' });
    await settled(s, failed);
    assert.equal((await hd(failed)).msg, 'record status is not success');
    assert.equal((await hd('veo_task_nope')).msg, 'record is null');
    await settled(s, running);
    assert.equal((await hd(running, 1)).code, 422);
    assert.equal((await api(s, 'GET', '/api/v1/veo/get-1080p-video')).code, 422);
  });

  void it('fault hd1080 "never": stays processing', async () => {
    const s2 = await sim({ hd1080DelayMs: 50, faults: { hd1080: 'never' } });
    const taskId = await generate(s2);
    await settled(s2, taskId);
    await sleep(150);
    assert.equal((await api(s2, 'GET', `/api/v1/veo/get-1080p-video?taskId=${taskId}`)).code, 400);
    s2.setFaults({});
    assert.equal(
      (await api(s2, 'GET', `/api/v1/veo/get-1080p-video?taskId=${taskId}`)).code,
      200,
      'read per request',
    );
  });

  void it('fault hd1080 "pending-as-500": processing answered as code 500, then ready', async () => {
    const taskId = await generate(s, {}, { 'x-sim-faults': '{"hd1080":"pending-as-500"}' });
    await settled(s, taskId);
    assert.deepEqual(await hd(taskId), { code: 500, msg: HD_PROCESSING, data: null });
    await waitFor('1080p', async () => ((await hd(taskId)).code === 200 ? true : undefined));
  });

  void it('fault hd1080 "refused": a permanent 422 for a succeeded task', async () => {
    const taskId = await generate(s, {}, { 'x-sim-faults': '{"hd1080":"refused"}' });
    await settled(s, taskId);
    assert.deepEqual(await hd(taskId), { code: 422, msg: 'record result data is blank', data: null });
  });
});

void describe('legacy fallback (fault fallback)', () => {
  const FALLBACK = { 'x-sim-faults': '{"fallback":true}' };
  const BLANK = { code: 422, msg: 'record result data is blank', data: null };

  void it('per request: record-info flags the success, 720p, no originUrls even for 9:16', async () => {
    const taskId = await generate(s, { aspect_ratio: '9:16' }, FALLBACK);
    const first = dataOf<VeoRecord>(await recordInfo(s, taskId));
    assert.deepEqual([first.successFlag, first.fallbackFlag], [0, false], 'not flagged while generating');
    const done = await settled(s, taskId);
    assert.equal(done.successFlag, 1);
    assert.equal(done.fallbackFlag, true);
    assert.equal(done.response?.resolution, '720p');
    assert.equal(done.response?.originUrls, null);
    assert.equal(done.response?.resultUrls.length, 1);
    assert.equal((await download(firstResultUrl(done))).status, 200);
    assert.equal(s.task(taskId)?.state, 'succeeded');
    assert.equal(s.task(taskId)?.faults.fallback, true);
  });

  void it('1080p: a permanent 422 "record result data is blank", nothing charged', async () => {
    const taskId = await generate(s, {}, FALLBACK);
    await settled(s, taskId);
    const credits = s.credits();
    assert.deepEqual(await hd(taskId), BLANK);
    await sleep(250); // past hd1080DelayMs: still refused, not merely "processing"
    assert.deepEqual(await hd(taskId, 0), BLANK);
    assert.equal(s.credits(), credits);
    assert.equal(s.task(taskId)?.hd1080, null);
  });

  void it('per scenario: tasks created while set succeed in fallback mode, later ones normally', async () => {
    const s2 = await sim({ faults: { fallback: true } });
    const hd2 = (taskId: string) => api(s2, 'GET', `/api/v1/veo/get-1080p-video?taskId=${taskId}`);
    const fallback = await generate(s2);
    s2.setFaults({});
    const normal = await generate(s2);
    assert.equal((await settled(s2, fallback)).fallbackFlag, true);
    assert.equal((await settled(s2, normal)).fallbackFlag, false);
    assert.deepEqual(await hd2(fallback), BLANK, 'fixed on the task at creation');
    await waitFor('1080p of the normal task', async () =>
      (await hd2(normal)).code === 200 ? true : undefined,
    );
  });

  void it('failures and extend tasks are unchanged (only normal generation had the flag)', async () => {
    const failed = await generate(
      s,
      {},
      { 'x-sim-faults': JSON.stringify({ fallback: true, outcome: { successFlag: 3, errorCode: 501 } }) },
    );
    const f = await settled(s, failed);
    assert.deepEqual([f.successFlag, f.errorCode, f.fallbackFlag], [3, 501, false]);
    const parent = await generate(s, {}, FALLBACK);
    await settled(s, parent);
    const r = await api(s, 'POST', '/api/v1/veo/extend', { taskId: parent, prompt: 'p' }, FALLBACK);
    const ext = await settled(s, dataOf<{ taskId: string }>(r).taskId);
    assert.deepEqual([ext.successFlag, ext.fallbackFlag], [1, false]);
  });

  void it('a fallback value that is not a boolean → 400, no task', async () => {
    const credits = s.credits();
    const header = { 'x-sim-faults': '{"fallback":"yes"}' };
    const bad = await api(s, 'POST', '/api/v1/veo/generate', { prompt: 'p' }, header);
    assert.equal(bad.code, 400);
    assert.match(bad.msg, /fallback must be one of true, false/);
    assert.equal(s.credits(), credits);
  });
});

void describe('4K', () => {
  void it('first call 200 with null URLs; repeat 422 processing; then 422 "generated successfully" with URLs', async () => {
    const taskId = await generate(s);
    await settled(s, taskId);
    assert.deepEqual(await fourK({ taskId, index: 0 }), {
      code: 200,
      msg: 'success',
      data: { taskId, resultUrls: null, imageUrls: null },
    });
    assert.deepEqual(await fourK({ taskId }), {
      code: 422,
      msg: FOURK_PROCESSING,
      data: { taskId, resultUrls: null, imageUrls: null },
    });
    const done = await waitFor('4K', async () => {
      const r = await fourK({ taskId });
      return r.msg === 'The video has been generated successfully' ? r : undefined;
    });
    assert.equal(done.code, 422, 'still 422 when done');
    const data = dataOf<{ taskId: string; resultUrls: string[]; imageUrls: string[] }>(done);
    assert.equal(data.taskId, taskId);
    assert.match(data.resultUrls[0]!, /\.mp4$/);
    assert.match(data.imageUrls[0]!, /\.jpg$/);
    const video = await download(data.resultUrls[0]!);
    assert.equal(video.status, 200);
    const image = await download(data.imageUrls[0]!);
    assert.equal(image.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual([...image.bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');
    assert.deepEqual(dataOf(await fourK({ taskId })), data, 'stable once done');
  });

  void it('unknown → 422 record is null; not successful → 422; taskId required', async () => {
    assert.deepEqual(await fourK({ taskId: 'veo_task_nope' }), {
      code: 422,
      msg: 'record is null',
      data: null,
    });
    const running = await generate(s);
    assert.equal((await fourK({ taskId: running })).msg, 'record status is not success');
    assert.equal((await fourK({})).code, 422);
  });
});

void describe('extend', () => {
  void it('creates veo_extend_task_…, followed by record-info to success, with fullResultUrls', async () => {
    const parent = await generate(s, { aspect_ratio: '9:16' });
    await settled(s, parent);
    const r = await api(s, 'POST', '/api/v1/veo/extend', {
      taskId: parent,
      prompt: 'and then',
      model: 'quality',
      seeds: 23456,
    });
    assert.equal(r.code, 200);
    const { taskId } = dataOf<{ taskId: string }>(r);
    assert.match(taskId, /^veo_extend_task_[0-9a-f]{32}$/);
    const view = s.task(taskId)!;
    assert.deepEqual(
      [view.kind, view.model, view.parentTaskId, view.aspectRatio],
      ['extend', 'quality', parent, '9:16'],
    );
    const done = await settled(s, taskId);
    assert.equal(done.successFlag, 1);
    assert.deepEqual(done.response?.fullResultUrls, done.response?.resultUrls);
    assert.deepEqual(JSON.parse(done.paramJson), {
      taskId: parent,
      prompt: 'and then',
      model: 'quality',
      seeds: 23456,
    });
    assert.equal((await download(done.response!.resultUrls[0]!)).status, 200);
  });

  void it('model defaults to fast; lite accepted', async () => {
    const parent = await generate(s);
    await settled(s, parent);
    const a = await api(s, 'POST', '/api/v1/veo/extend', { taskId: parent, prompt: 'p' });
    assert.equal(s.task(dataOf<{ taskId: string }>(a).taskId)?.model, 'fast');
    const b = await api(s, 'POST', '/api/v1/veo/extend', { taskId: parent, prompt: 'p', model: 'lite' });
    assert.equal(b.code, 200);
  });

  void it('of an unfinished or failed task → 422 "record status is not success"', async () => {
    const running = await generate(s);
    assert.deepEqual(await api(s, 'POST', '/api/v1/veo/extend', { taskId: running, prompt: 'p' }), {
      code: 422,
      msg: 'record status is not success',
      data: null,
    });
  });
});
