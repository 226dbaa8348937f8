/**
 * The Market jobs API (docs/kie-api.md#market): createTask, recordInfo's states and shapes, the callback, and
 * the faults Market tasks share with Veo tasks (outcome, callback faults, reply shapes, downloads).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { marketCallbackSchema } from '../../src/kie/schemas/callbacks.js';
import { api, dataOf, download, KEY, receiver, sim, waitFor } from './helpers.js';
import { createTask, created, ended, info, resultOf, type MarketRecord } from './market-helpers.js';

const NANO = { model: 'google/nano-banana', input: { prompt: 'a banana' } };
const KLING = {
  model: 'kling-2.6/image-to-video',
  input: { prompt: 'waves', image_urls: ['https://img.example.com/a.png'], sound: false, duration: '5' },
};
const faultsHeader = (f: unknown) => ({ 'x-sim-faults': JSON.stringify(f) });

void describe('Market jobs', () => {
  void it('createTask → waiting/queuing/generating → success with resultJson, epoch-ms times', async () => {
    const s = await sim({ durationsMs: { market: 400 } });
    const input = { prompt: 'a banana', output_format: 'png', image_size: '1:1' };
    const r = await createTask(s, { model: 'google/nano-banana', input });
    assert.equal(r.code, 200);
    const { taskId } = dataOf<{ taskId: string }>(r);
    assert.match(taskId, /^task_google_[0-9a-f]{24}$/);

    const states = new Set<string>();
    const done = await waitFor('market success', async () => {
      const rec = await info(s, taskId);
      states.add(rec.state);
      return rec.state === 'success' ? rec : undefined;
    });
    assert.ok(states.has('generating') || states.has('queuing') || states.has('waiting'));
    for (const st of states) assert.ok(['waiting', 'queuing', 'generating', 'success'].includes(st), st);
    assert.equal(done.model, 'google/nano-banana');
    assert.deepEqual(JSON.parse(done.param), { model: 'google/nano-banana', input });
    const result = JSON.parse(done.resultJson) as { resultUrls: string[] };
    assert.equal(result.resultUrls.length, 1);
    const image = await download(result.resultUrls[0]!);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/png');
    assert.equal(done.failCode, '');
    assert.equal(done.failMsg, '');
    assert.ok(done.createTime > 1.6e12 && done.completeTime! >= done.createTime + 400);
    assert.equal(done.costTime, done.completeTime! - done.createTime);
    assert.equal(done.updateTime, done.completeTime);
    assert.equal(done.creditsConsumed, 4);
  });

  void it('task ids carry the model’s prefix, as KIE’s do', async () => {
    const s = await sim();
    assert.match(await created(s, KLING.model, KLING.input), /^task_kling-2\.6_[0-9a-f]{24}$/);
    assert.match(
      await created(s, 'sora-2-image-to-video', { prompt: 'p', image_urls: ['https://i.example/a.png'] }),
      /^task_sora-2-image-to-video_[0-9a-f]{24}$/,
    );
  });

  void it('while running: resultJson empty, completeTime, costTime and creditsConsumed null', async () => {
    const s = await sim({ durationsMs: { market: 5_000 } });
    const rec = await info(s, await created(s, KLING.model, KLING.input));
    assert.equal(rec.state, 'waiting');
    assert.deepEqual(
      [rec.resultJson, rec.completeTime, rec.costTime, rec.creditsConsumed],
      ['', null, null, null],
    );
  });

  void it('durations per model override the Market default', async () => {
    const s = await sim({ durationsMs: { market: 100, 'kling-2.6/image-to-video': 60_000 } });
    const kling = await created(s, KLING.model, KLING.input);
    const nano = await created(s, NANO.model, NANO.input);
    assert.equal((await ended(s, nano)).state, 'success');
    assert.notEqual((await info(s, kling)).state, 'success');
  });

  void it('a failing task: state fail, failCode as a string, failMsg, empty resultJson, still code 200', async () => {
    const s = await sim();
    const taskId = await created(
      s,
      NANO.model,
      NANO.input,
      {},
      faultsHeader({
        outcome: {
          successFlag: 3,
          errorCode: 422,
          errorMessage: 'Invalid prompt: prompt contains prohibited content',
        },
      }),
    );
    const done = await ended(s, taskId);
    assert.equal(done.state, 'fail');
    assert.deepEqual(
      [done.failCode, done.failMsg, done.resultJson, done.creditsConsumed],
      ['422', 'Invalid prompt: prompt contains prohibited content', '', 0],
    );
    // Without a message of its own, the code's documented text.
    const s2 = await sim({ faults: { outcome: { successFlag: 2, errorCode: 500 } } });
    const other = await ended(s2, await created(s2, KLING.model, KLING.input));
    assert.deepEqual([other.failCode, other.failMsg], ['500', 'Internal Error, Please try again later.']);
  });

  void it('the fault mix fails Market tasks too', async () => {
    const s = await sim({ faults: { mix: { failure: 1 } } });
    const done = await ended(s, await created(s, NANO.model, NANO.input));
    assert.deepEqual([done.state, done.failCode], ['fail', '501']);
  });

  void it('unknown task → 422 "recordInfo is null"; no taskId → 422', async () => {
    const s = await sim();
    assert.deepEqual(await api(s, 'GET', '/api/v1/jobs/recordInfo?taskId=task_nope'), {
      code: 422,
      msg: 'recordInfo is null',
      data: null,
    });
    assert.equal((await api(s, 'GET', '/api/v1/jobs/recordInfo')).code, 422);
  });

  void it('GET /_sim/market-tasks lists every Market task; /_sim/tasks/:id and marketTask() show one', async () => {
    const s = await sim();
    const a = await created(s, NANO.model, NANO.input);
    const b = await created(s, KLING.model, KLING.input);
    const { tasks } = (await (await fetch(`${s.url}/_sim/market-tasks`)).json()) as { tasks: MarketRecord[] };
    assert.deepEqual(
      tasks.map((t) => t.taskId),
      [a, b],
    );
    const one = (await (await fetch(`${s.url}/_sim/tasks/${b}`)).json()) as { taskId: string; price: number };
    assert.equal(one.taskId, b);
    assert.equal(one.price, 55);
    assert.equal(s.marketTask(b)?.price, 55);
    assert.equal(s.marketTask('task_nope'), undefined);
  });
});

void describe('Market callbacks', () => {
  void it('success: {code 200, msg, data: record + consumeCredits, remainedCredits, costTime in s}, signed; the client decodes it', async () => {
    const rx = await receiver();
    const s = await sim({ hmacKey: 'k', credits: 1000 });
    const taskId = await created(
      s,
      'google/imagen4-fast',
      { prompt: 'p', num_images: '2' },
      { callBackUrl: `${rx.url}/m` },
    );
    const [cb] = await rx.waitFor('/m');
    assert.equal(cb!.json.code, 200);
    assert.equal(cb!.json.msg, 'Playground task completed successfully.');
    const data = cb!.json.data;
    const rec = await info(s, taskId);
    assert.equal(data.taskId, taskId);
    for (const key of [
      'model',
      'state',
      'param',
      'resultJson',
      'failCode',
      'failMsg',
      'createTime',
      'completeTime',
      'updateTime',
    ] as const)
      assert.deepEqual(data[key], rec[key], key);
    assert.equal(data.state, 'success');
    assert.equal(resultOf(rec).resultUrls.length, 2);
    assert.deepEqual([data.consumeCredits, data.creditsConsumed, data.remainedCredits], [8, 8, 992]);
    assert.equal(data.costTime, Math.round(rec.costTime! / 1000));
    assert.ok(cb!.headers['x-webhook-signature']);

    const decoded = marketCallbackSchema.parse(cb!.json);
    assert.equal(decoded.succeeded, true);
    assert.equal(decoded.creditsConsumed, 8);
    assert.deepEqual(decoded.resultUrls, resultOf(rec).resultUrls);
  });

  void it('failure: code 501 "Playground task failed.", state fail, failCode, nothing consumed', async () => {
    const rx = await receiver();
    const s = await sim({ faults: { outcome: { successFlag: 2, errorCode: 500 } }, credits: 100 });
    await created(s, NANO.model, NANO.input, { callBackUrl: `${rx.url}/f` });
    const [cb] = await rx.waitFor('/f');
    assert.equal(cb!.json.code, 501);
    assert.equal(cb!.json.msg, 'Playground task failed.');
    const data = cb!.json.data;
    assert.deepEqual(
      [data.state, data.failCode, data.resultJson, data.consumeCredits, data.remainedCredits],
      ['fail', '500', '', 0, 100],
    );
    assert.equal(marketCallbackSchema.parse(cb!.json).succeeded, false);
  });

  void it('Sora: resultJson carries resultWaterMarkUrls; the client decodes them', async () => {
    const rx = await receiver();
    const s = await sim();
    await created(
      s,
      'sora-2-image-to-video',
      { prompt: 'p', image_urls: ['https://i.example/a.png'] },
      { callBackUrl: `${rx.url}/sora` },
    );
    const [cb] = await rx.waitFor('/sora');
    const decoded = marketCallbackSchema.parse(cb!.json);
    assert.equal(decoded.resultUrls.length, 1);
    assert.equal(decoded.resultWaterMarkUrls.length, 1);
    assert.equal(decoded.progress, 100);
  });

  void it('drop, duplicate and delay, as for Veo', async () => {
    const rx = await receiver();
    const s = await sim();
    const dropped = await created(
      s,
      NANO.model,
      NANO.input,
      { callBackUrl: `${rx.url}/drop` },
      faultsHeader({ callback: 'drop' }),
    );
    await created(
      s,
      NANO.model,
      NANO.input,
      { callBackUrl: `${rx.url}/dup` },
      faultsHeader({ callback: 'duplicate' }),
    );
    await created(
      s,
      NANO.model,
      NANO.input,
      { callBackUrl: `${rx.url}/late` },
      faultsHeader({ callback: 'delay', callbackDelayMs: 300 }),
    );
    const twice = await rx.waitFor('/dup', 2);
    assert.equal(twice[0]!.body, twice[1]!.body);
    const [late] = await rx.waitFor('/late');
    assert.equal(late!.json.data.state, 'success');
    assert.equal((await ended(s, dropped)).state, 'success');
    assert.deepEqual(s.marketTask(dropped)?.callbacks, []);
    assert.equal(rx.on('/drop').length, 0);
  });

  void it('early: the callback is in before the createTask reply', async () => {
    const rx = await receiver();
    const s = await sim({ durationsMs: { market: 60_000 } });
    const taskId = await created(
      s,
      NANO.model,
      NANO.input,
      { callBackUrl: `${rx.url}/early` },
      faultsHeader({ callback: 'early' }),
    );
    const got = rx.on('/early');
    assert.equal(got.length, 1);
    assert.equal(got[0]!.json.data.taskId, taskId);
    assert.equal((await info(s, taskId)).state, 'success');
  });

  void it('reorder: after the real callback, a stale one saying the opposite', async () => {
    const rx = await receiver();
    const s = await sim();
    const ok = await created(
      s,
      NANO.model,
      NANO.input,
      { callBackUrl: `${rx.url}/r1` },
      faultsHeader({ callback: 'reorder' }),
    );
    const [real, stale] = await rx.waitFor('/r1', 2);
    assert.deepEqual([real!.json.code, real!.json.data.state], [200, 'success']);
    assert.deepEqual([stale!.json.code, stale!.json.data.state, stale!.json.data.taskId], [501, 'fail', ok]);
    assert.deepEqual(
      s.marketTask(ok)!.callbacks.map((c) => c.kind),
      ['normal', 'stale'],
    );
    await created(
      s,
      NANO.model,
      NANO.input,
      { callBackUrl: `${rx.url}/r2` },
      faultsHeader({ callback: 'reorder', outcome: { successFlag: 2, errorCode: 500 } }),
    );
    const [realFail, staleOk] = await rx.waitFor('/r2', 2);
    assert.equal(realFail!.json.data.state, 'fail');
    assert.equal(staleOk!.json.data.state, 'success');
    const staleUrl = (JSON.parse(staleOk!.json.data.resultJson as string) as { resultUrls: string[] })
      .resultUrls[0]!;
    assert.equal((await download(staleUrl)).status, 404, 'a stale callback points at nothing');
  });

  void it('foreignCallback: also a well-formed callback for a task that does not exist', async () => {
    const rx = await receiver();
    const s = await sim({ hmacKey: 'k' });
    const taskId = await created(
      s,
      NANO.model,
      NANO.input,
      { callBackUrl: `${rx.url}/fc` },
      faultsHeader({ foreignCallback: true }),
    );
    const both = await rx.waitFor('/fc', 2);
    const ids = both.map((r) => r.json.data.taskId);
    assert.ok(ids.includes(taskId));
    const foreign = ids.find((id) => id !== taskId)!;
    assert.match(foreign, /^task_google_[0-9a-f]{24}$/);
    assert.equal((await api(s, 'GET', `/api/v1/jobs/recordInfo?taskId=${foreign}`)).code, 422);
  });
});

void describe('Market faults on the reply and the downloads', () => {
  void it('generateReply malformed / gateway-error: the task is created and charged, the answer does not say so', async () => {
    const s = await sim({ credits: 100 });
    const malformed = await createTask(s, NANO, faultsHeader({ generateReply: 'malformed' }));
    assert.deepEqual(malformed, { code: 200, msg: 'success', data: {} });
    const res = await fetch(`${s.url}/api/v1/jobs/createTask`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${KEY}`,
        'content-type': 'application/json',
        ...faultsHeader({ generateReply: 'gateway-error' }),
      },
      body: JSON.stringify(NANO),
    });
    assert.equal(res.status, 502);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const { tasks } = (await (await fetch(`${s.url}/_sim/market-tasks`)).json()) as { tasks: unknown[] };
    assert.equal(tasks.length, 2);
    assert.equal(s.credits(), 92);
  });

  void it('download not-mp4: an HTML page where the image should be, labelled as the image', async () => {
    const s = await sim();
    const done = await ended(s, await created(s, NANO.model, { prompt: 'p', output_format: 'jpeg' }));
    s.setFaults({ download: 'not-mp4' });
    const file = await download(resultOf(done).resultUrls[0]!);
    assert.equal(file.headers.get('content-type'), 'image/jpeg');
    assert.match(file.bytes.toString('utf8'), /^<!DOCTYPE html>/);
  });

  void it('download truncate-once and videoBytes apply to Market videos', async () => {
    const s = await sim();
    const taskId = await created(
      s,
      KLING.model,
      KLING.input,
      {},
      faultsHeader({ download: 'truncate-once', videoBytes: 64 * 1024 }),
    );
    const url = resultOf(await ended(s, taskId)).resultUrls[0]!;
    const first = await fetch(url)
      .then(async (r) => Buffer.from(await r.arrayBuffer()).length)
      .catch(() => 'cut' as const);
    assert.equal(first, 'cut', 'the first download is cut short');
    const second = await download(url);
    assert.equal(second.bytes.length, 64 * 1024);
    assert.equal(second.bytes.toString('latin1', 4, 8), 'ftyp');
  });

  void it('scripted answers and maintenance apply to createTask (nothing created)', async () => {
    const s = await sim({ credits: 100 });
    s.setFaults({ responses: { 'jobs/createTask': [{ code: 500 }] } });
    assert.equal((await createTask(s, NANO)).code, 500);
    assert.equal((await createTask(s, NANO, faultsHeader({ maintenance: true }))).code, 455);
    assert.equal(s.credits(), 100);
    assert.equal((await createTask(s, NANO)).code, 200);
  });
});
