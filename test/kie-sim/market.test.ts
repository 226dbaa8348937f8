/** The Market jobs API (docs/kie-api.md#market): createTask, recordInfo's states and shapes, its callback. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, dataOf, download, receiver, sim, waitFor } from './helpers.js';

interface MarketRecord {
  taskId: string;
  model: string;
  state: string;
  param: string;
  resultJson: string;
  failCode: string;
  failMsg: string;
  costTime: number | null;
  completeTime: number | null;
  createTime: number;
  updateTime: number;
}

const create = (s: { url: string }, body: unknown, headers?: Record<string, string>) =>
  api(s, 'POST', '/api/v1/jobs/createTask', body, headers);
const info = async (s: { url: string }, taskId: string) =>
  dataOf<MarketRecord>(await api(s, 'GET', `/api/v1/jobs/recordInfo?taskId=${taskId}`));

void describe('Market jobs', () => {
  void it('createTask → waiting/queuing/generating → success with resultJson, epoch-ms times', async () => {
    const s = await sim({ durationsMs: { market: 400 } });
    const input = { prompt: 'a banana', output_format: 'png', image_size: '1:1' };
    const r = await create(s, { model: 'google/nano-banana', input });
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
    assert.equal(image.headers.get('content-type'), 'image/jpeg');
    assert.equal(done.failCode, '');
    assert.equal(done.failMsg, '');
    assert.ok(done.createTime > 1.6e12 && done.completeTime! >= done.createTime + 400);
    assert.equal(done.costTime, done.completeTime! - done.createTime);
    assert.equal(done.updateTime, done.completeTime);
  });

  void it('while running: resultJson empty, completeTime and costTime null', async () => {
    const s = await sim({ durationsMs: { market: 5_000 } });
    const { taskId } = dataOf<{ taskId: string }>(
      await create(s, { model: 'kling-2.6/text-to-video', input: { prompt: 'p' } }),
    );
    const rec = await info(s, taskId);
    assert.equal(rec.state, 'waiting');
    assert.deepEqual([rec.resultJson, rec.completeTime, rec.costTime], ['', null, null]);
  });

  void it('video models produce an MP4', async () => {
    const s = await sim();
    const { taskId } = dataOf<{ taskId: string }>(
      await create(s, {
        model: 'kling-2.6/image-to-video',
        input: { prompt: 'p', image_urls: ['https://img.example.com/a.png'] },
      }),
    );
    const done = await waitFor('done', async () =>
      (await info(s, taskId)).state === 'success' ? info(s, taskId) : undefined,
    );
    const file = await download((JSON.parse(done.resultJson) as { resultUrls: string[] }).resultUrls[0]!);
    assert.equal(file.bytes.subarray(4, 8).toString('latin1'), 'ftyp');
  });

  void it('a failing task: state fail, failCode as a string, failMsg, empty resultJson, still code 200', async () => {
    const s = await sim();
    const r = await create(
      s,
      { model: 'google/nano-banana', input: { prompt: 'p' } },
      {
        'x-sim-faults': JSON.stringify({
          outcome: {
            successFlag: 3,
            errorCode: 422,
            errorMessage: 'Invalid prompt: prompt contains prohibited content',
          },
        }),
      },
    );
    const { taskId } = dataOf<{ taskId: string }>(r);
    const done = await waitFor('fail', async () => {
      const rec = await api(s, 'GET', `/api/v1/jobs/recordInfo?taskId=${taskId}`);
      assert.equal(rec.code, 200);
      const d = dataOf<MarketRecord>(rec);
      return d.state === 'fail' ? d : undefined;
    });
    assert.deepEqual(
      [done.failCode, done.failMsg, done.resultJson],
      ['422', 'Invalid prompt: prompt contains prohibited content', ''],
    );
  });

  void it('unknown model → 422 "The page does not exist or is not published"; unknown task → 422 "recordInfo is null"', async () => {
    const s = await sim();
    assert.deepEqual(await create(s, { model: 'nobody/nothing', input: { prompt: 'p' } }), {
      code: 422,
      msg: 'The page does not exist or is not published',
      data: null,
    });
    assert.deepEqual(await api(s, 'GET', '/api/v1/jobs/recordInfo?taskId=task_nope'), {
      code: 422,
      msg: 'recordInfo is null',
      data: null,
    });
    assert.equal((await create(s, { model: 'google/nano-banana' })).code, 422, 'input required');
    assert.equal(
      (await create(s, { model: 'google/nano-banana', input: {} })).code,
      422,
      'input.prompt required',
    );
  });

  void it('callback: nested {code, msg, data: {state, resultJson, …}} for success; 501 for failure', async () => {
    const rx = await receiver();
    const s = await sim({ hmacKey: 'k' });
    const ok = dataOf<{ taskId: string }>(
      await create(s, { model: 'google/nano-banana', input: { prompt: 'p' }, callBackUrl: `${rx.url}/m` }),
    );
    const [cb] = await rx.waitFor('/m');
    assert.equal(cb!.json.code, 200);
    assert.equal(cb!.json.msg, 'Playground task completed successfully.');
    const data = cb!.json.data as Record<string, unknown>;
    assert.equal(data.taskId, ok.taskId);
    assert.equal(data.state, 'success');
    assert.equal(typeof data.resultJson, 'string');
    assert.equal(typeof data.consumeCredits, 'number');
    assert.equal(typeof data.remainedCredits, 'number');
    assert.ok(cb!.headers['x-webhook-signature']);

    s.setFaults({ outcome: { successFlag: 2, errorCode: 500 } });
    await create(s, { model: 'google/nano-banana', input: { prompt: 'p' }, callBackUrl: `${rx.url}/mf` });
    const [fail] = await rx.waitFor('/mf');
    assert.equal(fail!.json.code, 501);
    assert.equal(fail!.json.msg, 'Playground task failed.');
    assert.equal((fail!.json.data as Record<string, unknown>).state, 'fail');
    assert.equal((fail!.json.data as Record<string, unknown>).failCode, '500');
  });
});
