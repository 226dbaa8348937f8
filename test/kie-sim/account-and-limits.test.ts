/**
 * Credits (402, charged on accept, refunded on failure), the rate limit (429), maintenance (455),
 * scripted generate answers, HTTP-status mirroring, and endpoints that do not exist (404).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, call, dataOf, generate, settled, sim } from './helpers.js';

const INSUFFICIENT = 'The current credits are insufficient. Please top up.';

void describe('credits', () => {
  void it('GET /chat/credit answers the balance as a plain number', async () => {
    const s = await sim({ credits: 1234.5 });
    assert.deepEqual(await api(s, 'GET', '/api/v1/chat/credit'), { code: 200, msg: 'success', data: 1234.5 });
  });

  void it('generate charges the model price on accept; short credits → 402, nothing charged', async () => {
    const s = await sim({ credits: 300, prices: { veo3: 250, veo3_fast: 80 } });
    await generate(s, { model: 'veo3' });
    assert.equal(s.credits(), 50);
    const r = await api(s, 'POST', '/api/v1/veo/generate', { prompt: 'p', model: 'veo3_fast' });
    assert.deepEqual(r, { code: 402, msg: INSUFFICIENT, data: null });
    assert.equal(s.credits(), 50);
    assert.equal(dataOf<number>(await api(s, 'GET', '/api/v1/chat/credit')), 50);
  });

  void it('POST /_sim/credits sets the balance GET /chat/credit answers; a bad value → 400, unchanged', async () => {
    const s = await sim({ credits: 1000 });
    const post = (body: unknown) =>
      fetch(`${s.url}/_sim/credits`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const set = await post({ credits: 42.5 });
    assert.equal(set.status, 200);
    assert.deepEqual(await set.json(), { credits: 42.5 });
    assert.equal(dataOf<number>(await api(s, 'GET', '/api/v1/chat/credit')), 42.5);
    for (const bad of [{ credits: -1 }, { credits: 'lots' }, {}]) assert.equal((await post(bad)).status, 400);
    assert.equal(s.credits(), 42.5);
    s.setCredits(0);
    assert.equal(dataOf<number>(await api(s, 'GET', '/api/v1/chat/credit')), 0);
    assert.throws(() => s.setCredits(Number.NaN), RangeError);
  });

  void it('a failed generation is refunded', async () => {
    const s = await sim({ credits: 1000, faults: { outcome: { successFlag: 3, errorCode: 501 } } });
    const taskId = await generate(s, { model: 'veo3_fast' });
    assert.equal(s.credits(), 920);
    await settled(s, taskId);
    assert.equal(s.credits(), 1000);
    assert.equal(s.task(taskId)?.refunded, true);
  });

  void it('extend, 1080p and 4K charge their own prices, and 402 when short', async () => {
    const s = await sim({
      credits: 80 + 10 + 5,
      prices: { veo3_fast: 80, extend: 10, hd1080: 5, fourK: 120 },
    });
    const taskId = await generate(s);
    await settled(s, taskId);
    assert.equal((await api(s, 'POST', '/api/v1/veo/extend', { taskId, prompt: 'more' })).code, 200);
    assert.equal(s.credits(), 5);
    assert.equal(
      (await api(s, 'GET', `/api/v1/veo/get-1080p-video?taskId=${taskId}`)).code,
      400,
      'processing',
    );
    assert.equal(s.credits(), 0, '1080p charged once, on the first request');
    assert.equal((await api(s, 'GET', `/api/v1/veo/get-1080p-video?taskId=${taskId}`)).code, 400);
    assert.equal(s.credits(), 0);
    const fourK = await api(s, 'POST', '/api/v1/veo/get-4k-video', { taskId });
    assert.deepEqual(fourK, { code: 402, msg: INSUFFICIENT, data: null });
    const ext = await api(s, 'POST', '/api/v1/veo/extend', { taskId, prompt: 'again' });
    assert.equal(ext.code, 402);
  });
});

void describe('rate limit', () => {
  void it('the 21st generate within 10 s → 429; refused ones do not use up the window', async () => {
    const s = await sim({ rateLimit: undefined }); // the default: 20 per 10 s
    for (let i = 0; i < 20; i++) await generate(s, { prompt: `clip ${i}` });
    const r = await api(s, 'POST', '/api/v1/veo/generate', { prompt: 'one too many', model: 'veo3_fast' });
    assert.equal(r.code, 429);
    assert.equal(r.data, null);
    assert.ok(r.msg.length > 0);
    const credits = s.credits();
    assert.equal(
      (await api(s, 'POST', '/api/v1/veo/generate', { prompt: 'still', model: 'veo3_fast' })).code,
      429,
    );
    assert.equal(s.credits(), credits, 'a 429 charges nothing');
    assert.equal(s.stats().generateCalls, 22);
  });

  void it('the window slides; extend and Market createTask share it', async () => {
    // A window long enough that a busy machine still fills it before it slides (300 ms did not always).
    const windowMs = 1_500;
    const s = await sim({ rateLimit: { max: 3, windowMs } });
    const parent = await generate(s);
    await settled(s, parent);
    assert.equal((await api(s, 'POST', '/api/v1/veo/extend', { taskId: parent, prompt: 'more' })).code, 200);
    const market = await api(s, 'POST', '/api/v1/jobs/createTask', {
      model: 'google/nano-banana',
      input: { prompt: 'p' },
    });
    assert.equal(market.code, 200);
    // Once the window has passed, its three slots are free again, and then full again.
    await new Promise((r) => setTimeout(r, windowMs + 50));
    for (let i = 0; i < 3; i++) await generate(s);
    assert.equal((await api(s, 'POST', '/api/v1/veo/generate', { prompt: 'p' })).code, 429);
    assert.equal((await api(s, 'POST', '/api/v1/veo/extend', { taskId: parent, prompt: 'p' })).code, 429);
    assert.equal(
      (
        await api(s, 'POST', '/api/v1/jobs/createTask', {
          model: 'google/nano-banana',
          input: { prompt: 'p' },
        })
      ).code,
      429,
    );
    await new Promise((r) => setTimeout(r, windowMs + 50));
    await generate(s);
  });
});

void describe('scripted generate answers (faults.generateResponses)', () => {
  void it('are consumed FIFO, then generate works normally; nothing is charged or created', async () => {
    const s = await sim({
      faults: { generateResponses: [{ code: 429 }, { code: 500, msg: 'boom' }, { code: 429 }] },
    });
    const a = await api(s, 'POST', '/api/v1/veo/generate', { prompt: 'p' });
    assert.equal(a.code, 429);
    assert.ok(a.msg);
    assert.deepEqual(await api(s, 'POST', '/api/v1/veo/generate', { prompt: 'p' }), {
      code: 500,
      msg: 'boom',
      data: null,
    });
    assert.equal((await api(s, 'POST', '/api/v1/veo/generate', { prompt: 'p' })).code, 429);
    assert.equal(s.credits(), 100_000);
    assert.match(await generate(s), /^veo_task_[0-9a-f]{32}$/);
  });

  void it('setFaults copies the queue: the caller’s array is left alone', async () => {
    const s = await sim();
    const queue = [{ code: 455 }];
    s.setFaults({ generateResponses: queue });
    assert.equal((await api(s, 'POST', '/api/v1/veo/generate', { prompt: 'p' })).code, 455);
    assert.equal(queue.length, 1);
  });
});

void describe('maintenance (faults.maintenance) → 455', () => {
  void it('every API endpoint answers 455 while set, normal again after', async () => {
    const s = await sim();
    const taskId = await generate(s);
    s.setFaults({ maintenance: true });
    const calls: Array<['GET' | 'POST', string, unknown?]> = [
      ['POST', '/api/v1/veo/generate', { prompt: 'p' }],
      ['GET', `/api/v1/veo/record-info?taskId=${taskId}`],
      ['GET', `/api/v1/veo/get-1080p-video?taskId=${taskId}`],
      ['POST', '/api/v1/veo/get-4k-video', { taskId }],
      ['POST', '/api/v1/veo/extend', { taskId, prompt: 'p' }],
      ['GET', '/api/v1/chat/credit'],
      ['POST', '/api/v1/common/download-url', { url: `${s.url}/files/x.mp4` }],
      ['POST', '/api/v1/jobs/createTask', { model: 'google/nano-banana', input: { prompt: 'p' } }],
      ['GET', '/api/v1/jobs/recordInfo?taskId=t'],
    ];
    for (const [method, path, body] of calls) {
      const r = await api(s, method, path, body);
      assert.equal(r.code, 455, `${method} ${path}`);
      assert.equal(r.data, null);
    }
    s.setFaults({});
    assert.equal((await api(s, 'GET', `/api/v1/veo/record-info?taskId=${taskId}`)).code, 200);
  });

  void it('per request through X-Sim-Faults, leaving other requests alone', async () => {
    const s = await sim();
    const r = await api(
      s,
      'POST',
      '/api/v1/veo/generate',
      { prompt: 'p' },
      { 'x-sim-faults': '{"maintenance":true}' },
    );
    assert.equal(r.code, 455);
    await generate(s);
  });
});

void describe('ambiguous submit (faults.generateReply = malformed)', () => {
  void it('creates and charges the task, but answers success without a task id', async () => {
    const s = await sim();
    const before = s.credits();
    const r = await api(
      s,
      'POST',
      '/api/v1/veo/generate',
      { prompt: 'p', model: 'veo3_fast' },
      {
        'x-sim-faults': '{"generateReply":"malformed"}',
      },
    );
    assert.equal(r.code, 200);
    assert.deepEqual(r.data, {});
    assert.ok(s.credits() < before, 'charged');
    assert.equal(s.stats().generateCalls, 1);
    await generate(s); // the next request, without the header, is normal
  });
});

void describe('HTTP status', () => {
  void it('is 200 whatever the code by default', async () => {
    const s = await sim({ credits: 0 });
    const r = await call(s, 'POST', '/api/v1/veo/generate', { prompt: 'p' });
    assert.deepEqual([r.status, r.body.code], [200, 402]);
  });

  void it('mirrors the code with mirrorHttpStatus', async () => {
    const s = await sim({ credits: 0, mirrorHttpStatus: true });
    assert.deepEqual((await call(s, 'POST', '/api/v1/veo/generate', { prompt: 'p' })).status, 402);
    assert.deepEqual((await call(s, 'GET', '/api/v1/veo/record-info?taskId=nope')).status, 422);
    assert.deepEqual((await call(s, 'GET', '/api/v1/chat/credit')).status, 200);
    s.setFaults({ maintenance: true });
    assert.deepEqual((await call(s, 'GET', '/api/v1/chat/credit')).status, 455);
  });

  void it('endpoints KIE does not have: 404 (the seeds’ /veo/query/{id}), wrong method 405', async () => {
    const s = await sim();
    const q = await call(s, 'GET', '/api/v1/veo/query/veo_task_123');
    assert.equal(q.status, 404);
    assert.equal(q.body.code, 404);
    const m = await call(s, 'GET', '/api/v1/veo/generate');
    assert.equal(m.status, 405);
  });
});
