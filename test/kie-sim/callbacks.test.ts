/**
 * Callbacks as received by a real HTTP endpoint: the documented shapes (docs/kie-api.md#callback-shapes),
 * signatures checked with an independent HMAC computation, retries, and every callback fault.
 */
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, it } from 'node:test';
import { veoCallbackSchema } from '../../src/kie/schemas/callbacks.js';
import { api, dataOf, generate, receiver, settled, sim, sleep, type Received } from './helpers.js';

const HMAC_KEY = 'whk_test_4f1c2b';
const FALLBACK_MSG = 'Veo3.1 video generated successfully (using fallback model).';

/** The docs' algorithm, written out here rather than borrowed from the simulator. */
function expectedSignature(key: string, taskId: string, timestamp: string): string {
  return createHmac('sha256', key).update(`${taskId}.${timestamp}`, 'utf8').digest('base64');
}
function verifies(
  r: Received,
  key = HMAC_KEY,
  timestamp = String(r.headers['x-webhook-timestamp']),
): boolean {
  const taskId = r.json.data.taskId ?? '';
  const want = Buffer.from(expectedSignature(key, taskId, timestamp));
  const got = Buffer.from(String(r.headers['x-webhook-signature'] ?? ''));
  return want.length === got.length && timingSafeEqual(want, got);
}

void describe('Veo callback shapes', () => {
  void it('success: nested data.info with resultUrls (= record-info), originUrls for 9:16, promptJson, fallbackFlag', async () => {
    const rx = await receiver();
    const s = await sim();
    const taskId = await generate(s, { aspect_ratio: '9:16', callBackUrl: `${rx.url}/ok` });
    const [cb] = await rx.waitFor('/ok');
    assert.equal(cb!.headers['content-type'], 'application/json');
    const body = cb!.json;
    assert.equal(body.code, 200);
    assert.equal(body.msg, 'Veo3.1 video generated successfully.');
    const data = body.data as {
      taskId: string;
      info: Record<string, unknown>;
      promptJson: Record<string, unknown>;
      fallbackFlag: boolean;
    };
    assert.equal(data.taskId, taskId);
    assert.equal(data.fallbackFlag, false);
    const record = await settled(s, taskId);
    assert.deepEqual(data.info, {
      resultUrls: record.response?.resultUrls,
      originUrls: record.response?.originUrls,
      resolution: '720p',
    });
    assert.equal(data.promptJson.aspectRatio, '9:16');
    assert.equal(data.promptJson.callBackUrl, `${rx.url}/ok`);
    assert.equal(data.promptJson.model, 'veo3_fast');
    const view = s.task(taskId)!;
    assert.equal(view.callbackUrl, `${rx.url}/ok`);
    assert.deepEqual(
      view.callbacks.map((c) => [c.attempt, c.status, c.kind]),
      [[1, 200, 'normal']],
    );
    assert.equal(s.stats().callbacksSent, 1);
  });

  void it('16:9 success has no originUrls', async () => {
    const rx = await receiver();
    const s = await sim();
    await generate(s, { callBackUrl: `${rx.url}/wide` });
    const [cb] = await rx.waitFor('/wide');
    assert.equal('originUrls' in (cb!.json.data.info as object), false);
  });

  void it('failure: code = errorCode, KIE’s message, data has only taskId and fallbackFlag', async () => {
    const rx = await receiver();
    const s = await sim({ faults: { outcome: { successFlag: 3, errorCode: 501 } } });
    const taskId = await generate(s, { callBackUrl: `${rx.url}/fail` });
    const [cb] = await rx.waitFor('/fail');
    assert.deepEqual(cb!.json, {
      code: 501,
      msg: 'Generation failed.',
      data: { taskId, fallbackFlag: false },
    });
  });

  void it('legacy fallback (scenario fault): its msg, fallbackFlag true, no originUrls even for 9:16', async () => {
    const rx = await receiver();
    const s = await sim({ faults: { fallback: true } });
    const taskId = await generate(s, { aspect_ratio: '9:16', callBackUrl: `${rx.url}/fb` });
    const [cb] = await rx.waitFor('/fb');
    const record = await settled(s, taskId);
    assert.equal(cb!.json.code, 200);
    assert.equal(cb!.json.msg, FALLBACK_MSG);
    assert.equal(cb!.json.data.fallbackFlag, true);
    assert.deepEqual(cb!.json.data.info, { resultUrls: record.response?.resultUrls, resolution: '720p' });
    assert.deepEqual(veoCallbackSchema.parse(cb!.json), {
      taskId,
      code: 200,
      msg: FALLBACK_MSG,
      succeeded: true,
      resultUrls: record.response?.resultUrls,
      originUrls: [],
      resolution: '720p',
      fallbackFlag: true,
    });
  });

  void it('legacy fallback per request (X-Sim-Faults): only that task calls back as fallback', async () => {
    const rx = await receiver();
    const s = await sim();
    const fallback = await generate(
      s,
      { callBackUrl: `${rx.url}/fb` },
      { 'X-Sim-Faults': JSON.stringify({ fallback: true }) },
    );
    const normal = await generate(s, { callBackUrl: `${rx.url}/plain` });
    const [fb] = await rx.waitFor('/fb');
    const [plain] = await rx.waitFor('/plain');
    const summary = (body: unknown) => {
      const cb = veoCallbackSchema.parse(body);
      return [cb.taskId, cb.succeeded, cb.msg, cb.fallbackFlag];
    };
    assert.deepEqual(summary(fb!.json), [fallback, true, FALLBACK_MSG, true]);
    assert.deepEqual(summary(plain!.json), [normal, true, 'Veo3.1 video generated successfully.', false]);
  });

  void it('extend tasks call back in the same shape', async () => {
    const rx = await receiver();
    const s = await sim();
    const parent = await generate(s);
    await settled(s, parent);
    const r = await api(s, 'POST', '/api/v1/veo/extend', {
      taskId: parent,
      prompt: 'more',
      callBackUrl: `${rx.url}/ext`,
    });
    const [cb] = await rx.waitFor('/ext');
    assert.equal(cb!.json.code, 200);
    assert.equal(cb!.json.data.taskId, dataOf<{ taskId: string }>(r).taskId);
  });

  void it('4K: "4K Video generated successfully." with info.resultUrls and info.imageUrls', async () => {
    const rx = await receiver();
    const s = await sim({ hmacKey: HMAC_KEY });
    const taskId = await generate(s);
    await settled(s, taskId);
    await api(s, 'POST', '/api/v1/veo/get-4k-video', { taskId, callBackUrl: `${rx.url}/4k` });
    const [cb] = await rx.waitFor('/4k');
    assert.ok(verifies(cb!));
    assert.equal(cb!.json.code, 200);
    assert.equal(cb!.json.msg, '4K Video generated successfully.');
    const info = cb!.json.data.info as { resultUrls: string[]; imageUrls: string[] };
    const polled = await api(s, 'POST', '/api/v1/veo/get-4k-video', { taskId });
    assert.deepEqual(info, {
      resultUrls: dataOf<{ resultUrls: string[] }>(polled).resultUrls,
      imageUrls: dataOf<{ imageUrls: string[] }>(polled).imageUrls,
    });
    assert.equal(s.task(taskId)?.callbacks.at(-1)?.kind, '4k');
  });
});

void describe('signatures', () => {
  void it('X-Webhook-Timestamp (unix seconds) and X-Webhook-Signature = base64 HMAC-SHA256(taskId.timestamp)', async () => {
    const rx = await receiver();
    const s = await sim({ hmacKey: HMAC_KEY });
    const before = Math.floor(Date.now() / 1000);
    const taskId = await generate(s, { callBackUrl: `${rx.url}/signed` });
    const [cb] = await rx.waitFor('/signed');
    const ts = String(cb!.headers['x-webhook-timestamp']);
    assert.match(ts, /^\d{10}$/);
    assert.ok(Number(ts) >= before && Number(ts) <= Math.floor(Date.now() / 1000));
    assert.equal(cb!.headers['x-webhook-signature'], expectedSignature(HMAC_KEY, taskId, ts));
    assert.ok(verifies(cb!));
    assert.equal(
      verifies(cb!, HMAC_KEY, String(Number(ts) + 1)),
      false,
      'a tampered timestamp does not match',
    );
    assert.equal(verifies(cb!, 'another-key'), false, 'nor another key');
  });

  void it('failure callbacks are signed too; no key → no signature headers', async () => {
    const rx = await receiver();
    const signed = await sim({ hmacKey: HMAC_KEY, faults: { outcome: { successFlag: 2, errorCode: 400 } } });
    await generate(signed, { callBackUrl: `${rx.url}/f` });
    assert.ok(verifies((await rx.waitFor('/f'))[0]!));
    const plain = await sim();
    await generate(plain, { callBackUrl: `${rx.url}/plain` });
    const [cb] = await rx.waitFor('/plain');
    assert.equal(cb!.headers['x-webhook-signature'], undefined);
    assert.equal(cb!.headers['x-webhook-timestamp'], undefined);
  });
});

void describe('delivery and retries', () => {
  void it('receiver answers 500 twice then 200 → 3 deliveries, each freshly signed', async () => {
    const rx = await receiver((_r, n) => (n <= 2 ? 500 : 200));
    const s = await sim({ hmacKey: HMAC_KEY, callbackRetryDelayMs: 30 });
    const taskId = await generate(s, { callBackUrl: `${rx.url}/flaky` });
    await rx.waitFor('/flaky', 3);
    await sleep(150);
    const got = rx.on('/flaky');
    assert.equal(got.length, 3);
    assert.ok(got.every((r) => verifies(r)));
    assert.ok(
      got.every((r) => r.body === got[0]!.body),
      'same body every attempt',
    );
    assert.ok(got[1]!.at - got[0]!.at >= 25, 'retries wait callbackRetryDelayMs');
    assert.deepEqual(
      s.task(taskId)!.callbacks.map((c) => [c.attempt, c.status]),
      [
        [1, 500],
        [2, 500],
        [3, 200],
      ],
    );
    assert.equal(s.stats().callbacksSent, 3);
  });

  void it('gives up after 3 retries (4 attempts) of a receiver that keeps failing', async () => {
    const rx = await receiver(() => 503);
    const s = await sim({ callbackRetryDelayMs: 10 });
    const taskId = await generate(s, { callBackUrl: `${rx.url}/down` });
    await rx.waitFor('/down', 4);
    await sleep(150);
    assert.equal(rx.on('/down').length, 4);
    assert.deepEqual(
      s.task(taskId)!.callbacks.map((c) => c.status),
      [503, 503, 503, 503],
    );
  });

  void it('a receiver that cannot be reached: attempts recorded with status null', async () => {
    const s = await sim({ callbackRetryDelayMs: 10 });
    // Port 9 (discard) is closed on loopback: connection refused.
    const taskId = await generate(s, { callBackUrl: 'http://127.0.0.1:9/nobody' });
    await settled(s, taskId);
    await sleep(200);
    assert.deepEqual(
      s.task(taskId)!.callbacks.map((c) => c.status),
      [null, null, null, null],
    );
  });
});

void describe('callback faults', () => {
  void it('drop: never sent', async () => {
    const rx = await receiver();
    const s = await sim({ faults: { callback: 'drop' } });
    const taskId = await generate(s, { callBackUrl: `${rx.url}/drop` });
    await settled(s, taskId);
    await sleep(150);
    assert.equal(rx.on('/drop').length, 0);
    assert.equal(s.task(taskId)?.callbacks.length, 0);
  });

  void it('duplicate: the same callback twice', async () => {
    const rx = await receiver();
    const s = await sim({ hmacKey: HMAC_KEY, faults: { callback: 'duplicate' } });
    await generate(s, { callBackUrl: `${rx.url}/dup` });
    const [a, b] = await rx.waitFor('/dup', 2);
    assert.equal(a!.body, b!.body);
    assert.ok(verifies(a!) && verifies(b!));
  });

  void it('delay: sent callbackDelayMs after completion', async () => {
    const rx = await receiver();
    const s = await sim({ faults: { callback: 'delay', callbackDelayMs: 400 } });
    const start = Date.now();
    const taskId = await generate(s, { callBackUrl: `${rx.url}/late` });
    await settled(s, taskId);
    assert.equal(rx.on('/late').length, 0, 'not yet when the task has settled');
    const [cb] = await rx.waitFor('/late');
    assert.ok(cb!.at - start >= 150 + 400 - 20, `arrived after ${cb!.at - start} ms`);
  });

  void it('early: the completion callback arrives before the generate reply', async () => {
    const rx = await receiver();
    const s = await sim({ faults: { callback: 'early' } });
    const r = await api(s, 'POST', '/api/v1/veo/generate', {
      prompt: 'instant',
      callBackUrl: `${rx.url}/early`,
    });
    const repliedAt = Date.now();
    const { taskId } = dataOf<{ taskId: string }>(r);
    const got = rx.on('/early');
    assert.equal(got.length, 1, 'already received when generate answered');
    assert.ok(got[0]!.at <= repliedAt);
    assert.equal(got[0]!.json.data.taskId, taskId);
    assert.equal(got[0]!.json.code, 200);
    assert.equal(s.task(taskId)?.state, 'succeeded', 'the task finished instantly');
  });

  void it('reorder: after the real success, a stale conflicting failure for the same task', async () => {
    const rx = await receiver();
    const s = await sim({ faults: { callback: 'reorder' } });
    const taskId = await generate(s, { callBackUrl: `${rx.url}/re` });
    const [real, stale] = await rx.waitFor('/re', 2);
    assert.equal(real!.json.code, 200);
    assert.equal(stale!.json.code, 500);
    assert.equal(stale!.json.data.taskId, taskId);
    assert.equal((await settled(s, taskId)).successFlag, 1, 'record-info still says success');
    assert.deepEqual(
      s.task(taskId)?.callbacks.map((c) => c.kind),
      ['normal', 'stale'],
    );
  });

  void it('reorder on a failed task: the stale one claims success', async () => {
    const rx = await receiver();
    const s = await sim({ faults: { callback: 'reorder', outcome: { successFlag: 2, errorCode: 500 } } });
    await generate(s, { callBackUrl: `${rx.url}/re-fail` });
    const [real, stale] = await rx.waitFor('/re-fail', 2);
    assert.deepEqual([real!.json.code, stale!.json.code], [500, 200]);
  });

  void it('foreignCallback: also a well-formed, signed callback for a task that does not exist', async () => {
    const rx = await receiver();
    const s = await sim({ hmacKey: HMAC_KEY, faults: { foreignCallback: true } });
    const taskId = await generate(s, { callBackUrl: `${rx.url}/mixed` });
    const got = await rx.waitFor('/mixed', 2);
    const foreign = got.find((r) => r.json.data.taskId !== taskId)!;
    assert.ok(foreign, 'a callback for another task id');
    assert.match(foreign.json.data.taskId!, /^veo_task_[0-9a-f]{32}$/);
    assert.ok(verifies(foreign), 'signed with its own task id');
    assert.equal(s.task(foreign.json.data.taskId!), undefined);
    assert.deepEqual(await api(s, 'GET', `/api/v1/veo/record-info?taskId=${foreign.json.data.taskId}`), {
      code: 422,
      msg: 'record is null',
      data: null,
    });
    assert.ok(got.some((r) => r.json.data.taskId === taskId));
  });

  void it('per request via X-Sim-Faults, overriding the scenario for that task only', async () => {
    const rx = await receiver();
    const s = await sim({ faults: { callback: 'drop' } });
    const loud = await generate(
      s,
      { callBackUrl: `${rx.url}/hdr` },
      { 'X-Sim-Faults': JSON.stringify({ callback: 'duplicate' }) },
    );
    const quiet = await generate(s, { callBackUrl: `${rx.url}/hdr` });
    await rx.waitFor('/hdr', 2);
    await settled(s, quiet);
    await sleep(100);
    assert.ok(rx.on('/hdr').every((r) => r.json.data.taskId === loud));
    assert.equal(s.task(loud)?.faults.callback, 'duplicate');
    assert.equal(s.task(quiet)?.faults.callback, 'drop');
  });

  void it('a malformed X-Sim-Faults header → 400, no task', async () => {
    const s = await sim();
    const bad = await api(
      s,
      'POST',
      '/api/v1/veo/generate',
      { prompt: 'p' },
      { 'x-sim-faults': '{"callback":"sometimes"}' },
    );
    assert.equal(bad.code, 400);
    assert.match(bad.msg, /callback must be one of/);
    assert.equal(
      (await api(s, 'POST', '/api/v1/veo/generate', { prompt: 'p' }, { 'x-sim-faults': 'nope' })).code,
      400,
    );
    assert.equal(s.credits(), 100_000);
  });
});
