/**
 * /veo/generate's validation (docs/kie-api.md#generate): each rule answers code 422 with a message naming the
 * problem; unknown fields are ignored; both aspect spellings are read. And 401 on a missing or wrong key.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { KieSimulator } from '../../src/kie-sim/index.js';
import { api, call, dataOf, generate, sim, type Envelope } from './helpers.js';

const IMG = (n: number) => Array.from({ length: n }, (_, i) => `https://images.example.com/${i}.png`);
const base = { prompt: 'A quiet harbour', model: 'veo3_fast' };

let s: KieSimulator;
before(async () => {
  s = await sim();
});

const generateRaw = (body: unknown): Promise<Envelope> => api(s, 'POST', '/api/v1/veo/generate', body);

async function rejects(body: Record<string, unknown>, msg: RegExp) {
  const r = await generateRaw(body);
  assert.equal(r.code, 422, `expected 422 for ${JSON.stringify(body)}, got ${r.code} ${r.msg}`);
  assert.match(r.msg, msg);
  assert.equal(r.data, null);
}

void describe('generate validation → 422', () => {
  void it('prompt is required (missing, empty, not a string)', async () => {
    await rejects({ model: 'veo3_fast' }, /prompt is required/);
    await rejects({ ...base, prompt: '   ' }, /prompt is required/);
    await rejects({ ...base, prompt: 42 }, /prompt is required/);
  });

  void it('model must be veo3, veo3_fast or veo3_lite; omitted means veo3_fast', async () => {
    await rejects({ ...base, model: 'veo2' }, /Invalid model/);
    await rejects({ ...base, model: 'fast' }, /Invalid model/);
    for (const model of ['veo3', 'veo3_fast', 'veo3_lite']) await generate(s, { model });
    const taskId = await generate(s, { model: undefined });
    assert.equal(s.task(taskId)?.model, 'veo3_fast');
  });

  void it('generationType must be one of the three', async () => {
    await rejects({ ...base, generationType: 'IMAGE_2_VIDEO' }, /Invalid generationType/);
  });

  void it('imageUrls counts per mode: TEXT 0, FIRST_AND_LAST 1–2, REFERENCE 1–3', async () => {
    await rejects(
      { ...base, generationType: 'TEXT_2_VIDEO', imageUrls: IMG(1) },
      /TEXT_2_VIDEO takes no imageUrls/,
    );
    await rejects(
      { ...base, generationType: 'FIRST_AND_LAST_FRAMES_2_VIDEO' },
      /requires 1 to 2 imageUrls, got 0/,
    );
    await rejects({ ...base, generationType: 'FIRST_AND_LAST_FRAMES_2_VIDEO', imageUrls: IMG(3) }, /got 3/);
    await rejects(
      { ...base, generationType: 'REFERENCE_2_VIDEO', imageUrls: [] },
      /requires 1 to 3 imageUrls/,
    );
    await rejects({ ...base, generationType: 'REFERENCE_2_VIDEO', imageUrls: IMG(4) }, /got 4/);
    await rejects({ ...base, imageUrls: ['not a url'] }, /imageUrls must be an array of http\(s\) URLs/);
    await rejects({ ...base, imageUrls: 'https://images.example.com/0.png' }, /imageUrls must be an array/);
    // Accepted at the edges of each range.
    await generate(s, { generationType: 'TEXT_2_VIDEO' });
    await generate(s, { generationType: 'FIRST_AND_LAST_FRAMES_2_VIDEO', imageUrls: IMG(1) });
    await generate(s, { generationType: 'FIRST_AND_LAST_FRAMES_2_VIDEO', imageUrls: IMG(2) });
    await generate(s, { generationType: 'REFERENCE_2_VIDEO', imageUrls: IMG(1) });
    await generate(s, { generationType: 'REFERENCE_2_VIDEO', imageUrls: IMG(3) });
  });

  void it('generationType is inferred from imageUrls when omitted', async () => {
    const text = await generate(s, {});
    assert.equal(s.task(text)?.request.generationType, 'TEXT_2_VIDEO');
    const frames = await generate(s, { imageUrls: IMG(2) });
    assert.equal(s.task(frames)?.request.generationType, 'FIRST_AND_LAST_FRAMES_2_VIDEO');
    await rejects({ ...base, imageUrls: IMG(3) }, /FIRST_AND_LAST_FRAMES_2_VIDEO requires/);
  });

  void it('REFERENCE_2_VIDEO: veo3_fast and 16:9 only (strict)', async () => {
    const ref = { ...base, generationType: 'REFERENCE_2_VIDEO', imageUrls: IMG(1) };
    await rejects({ ...ref, model: 'veo3' }, /REFERENCE_2_VIDEO supports only the veo3_fast model/);
    await rejects({ ...ref, model: 'veo3_lite' }, /only the veo3_fast model/);
    await rejects({ ...ref, aspect_ratio: '9:16' }, /REFERENCE_2_VIDEO supports only aspect ratio 16:9/);
    await rejects({ ...ref, aspectRatio: 'Auto' }, /aspect ratio 16:9/);
  });

  void it('REFERENCE_2_VIDEO relaxed: veo3_lite and 9:16 too, still not veo3 or Auto', async () => {
    const relaxed = await sim({ relaxedReference: true });
    const ref = { ...base, generationType: 'REFERENCE_2_VIDEO', imageUrls: IMG(2) };
    await generate(relaxed, { ...ref, model: 'veo3_lite', aspect_ratio: '9:16' });
    const veo3 = await api(relaxed, 'POST', '/api/v1/veo/generate', { ...ref, model: 'veo3' });
    assert.equal(veo3.code, 422);
    const auto = await api(relaxed, 'POST', '/api/v1/veo/generate', { ...ref, aspect_ratio: 'Auto' });
    assert.equal(auto.code, 422);
  });

  void it('aspect ratio: 16:9, 9:16, Auto under either spelling; 1:1 and others → 422', async () => {
    await rejects({ ...base, aspect_ratio: '1:1' }, /Invalid aspect_ratio: must be one of 16:9, 9:16, Auto/);
    await rejects({ ...base, aspectRatio: '1:1' }, /Invalid aspect_ratio/);
    await rejects({ ...base, aspect_ratio: '4:3' }, /Invalid aspect_ratio/);
    const snake = await generate(s, { aspect_ratio: '9:16' });
    assert.equal(s.task(snake)?.aspectRatio, '9:16');
    const camel = await generate(s, { aspectRatio: 'Auto' });
    assert.equal(s.task(camel)?.aspectRatio, 'Auto');
    const none = await generate(s, {});
    assert.equal(s.task(none)?.aspectRatio, '16:9', 'default 16:9');
  });

  void it('seeds must be an integer in 10000–99999', async () => {
    for (const seeds of [9999, 100000, 12345.5, '12345', -1])
      await rejects({ ...base, seeds }, /seeds must be an integer between 10000 and 99999/);
    const low = await generate(s, { seeds: 10000 });
    assert.equal(s.task(low)?.request.seeds, 10000);
    await generate(s, { seeds: 99999 });
    const assigned = await generate(s, {});
    const seeds = s.task(assigned)?.request.seeds;
    assert.ok(typeof seeds === 'number' && seeds >= 10000 && seeds <= 99999, 'a seed is assigned');
  });

  void it('other typed fields: callBackUrl, watermark, enableTranslation', async () => {
    await rejects({ ...base, callBackUrl: 'ftp://example.com/cb' }, /callBackUrl must be an http\(s\) URL/);
    await rejects({ ...base, watermark: 5 }, /watermark must be a string/);
    await rejects({ ...base, enableTranslation: 'yes' }, /enableTranslation must be a boolean/);
  });

  void it('unknown fields (duration, resolution, enhancePrompt) are ignored, and kept out of paramJson', async () => {
    const taskId = await generate(s, {
      duration: 8,
      resolution: '1080p',
      enhancePrompt: true,
      watermark: 'Sim',
    });
    const t = s.task(taskId)!;
    assert.equal(t.rawRequest.duration, 8, 'the raw body is kept for inspection');
    assert.equal(t.request.duration, undefined);
    assert.equal(t.request.waterMark, 'Sim', 'echoed under the legacy key');
  });

  void it('a body that is not a JSON object → 422', async () => {
    for (const body of ['not json', '[1,2]']) {
      const res = await fetch(`${s.url}/api/v1/veo/generate`, {
        method: 'POST',
        headers: { authorization: 'Bearer sim-test-key', 'content-type': 'application/json' },
        body,
      });
      const r = (await res.json()) as Envelope;
      assert.equal(r.code, 422);
    }
  });

  void it('extend validation: taskId, prompt, model fast|quality|lite, seeds', async () => {
    const extend = (body: unknown) => api(s, 'POST', '/api/v1/veo/extend', body);
    assert.match((await extend({ prompt: 'more' })).msg, /taskId is required/);
    assert.match((await extend({ taskId: 'veo_task_x' })).msg, /prompt is required/);
    const bad = await extend({ taskId: 'veo_task_x', prompt: 'p', model: 'veo3_fast' });
    assert.deepEqual([bad.code, bad.msg], [422, 'Invalid model: must be one of fast, quality, lite']);
    assert.match((await extend({ taskId: 'veo_task_x', prompt: 'p', seeds: 5 })).msg, /seeds/);
    assert.deepEqual(await extend({ taskId: 'veo_task_x', prompt: 'p' }), {
      code: 422,
      msg: 'record is null',
      data: null,
    });
  });
});

void describe('authentication → 401', () => {
  const paths: Array<['GET' | 'POST', string]> = [
    ['POST', '/api/v1/veo/generate'],
    ['GET', '/api/v1/veo/record-info?taskId=x'],
    ['GET', '/api/v1/veo/get-1080p-video?taskId=x'],
    ['POST', '/api/v1/veo/get-4k-video'],
    ['POST', '/api/v1/veo/extend'],
    ['GET', '/api/v1/chat/credit'],
    ['POST', '/api/v1/common/download-url'],
    ['POST', '/api/v1/jobs/createTask'],
    ['GET', '/api/v1/jobs/recordInfo?taskId=x'],
  ];

  void it('missing key, wrong key, or not a Bearer header, on every endpoint', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-key',
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      'sim-test-key',
    ]) {
      for (const [method, path] of paths) {
        const r = await call(
          s,
          method,
          path,
          method === 'POST' ? { prompt: 'p' } : undefined,
          authorization ? { authorization } : { authorization: '' },
        );
        assert.deepEqual(
          r,
          { status: 200, body: { code: 401, msg: 'You do not have access permissions', data: null } },
          `${method} ${path} with ${authorization}`,
        );
      }
    }
  });

  void it('a configured key is accepted', async () => {
    const r = await api(s, 'GET', '/api/v1/chat/credit');
    assert.equal(r.code, 200);
    assert.equal(typeof dataOf<number>(r), 'number');
  });
});
