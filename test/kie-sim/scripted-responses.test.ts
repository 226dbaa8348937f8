/**
 * Scripted answers on every endpoint (faults.responses): per scenario (options, setFaults,
 * POST /_sim/faults), per request (X-Sim-Faults), consumed FIFO per endpoint, and validated.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KieSimulator, SimEndpoint } from '../../src/kie-sim/index.js';
import { api, call, generate, sim } from './helpers.js';

/** A well-formed request per endpoint (what it answers without a script does not matter here). */
const REQUESTS: Record<SimEndpoint, ['GET' | 'POST', string, unknown?]> = {
  generate: ['POST', '/api/v1/veo/generate', { prompt: 'p', model: 'veo3_fast' }],
  'record-info': ['GET', '/api/v1/veo/record-info?taskId=t'],
  'get-1080p-video': ['GET', '/api/v1/veo/get-1080p-video?taskId=t'],
  'get-4k-video': ['POST', '/api/v1/veo/get-4k-video', { taskId: 't' }],
  extend: ['POST', '/api/v1/veo/extend', { taskId: 't', prompt: 'p' }],
  credit: ['GET', '/api/v1/chat/credit'],
  'download-url': ['POST', '/api/v1/common/download-url', { url: 'https://x/y.mp4' }],
  'jobs/createTask': [
    'POST',
    '/api/v1/jobs/createTask',
    { model: 'google/nano-banana', input: { prompt: 'p' } },
  ],
  'jobs/recordInfo': ['GET', '/api/v1/jobs/recordInfo?taskId=t'],
};
const ENDPOINTS = Object.keys(REQUESTS) as SimEndpoint[];

const send = (s: KieSimulator, endpoint: SimEndpoint, headers?: Record<string, string>) => {
  const [method, path, body] = REQUESTS[endpoint];
  return call(s, method, path, body, headers);
};

const postFaults = (s: KieSimulator, body: unknown) =>
  fetch(`${s.url}/_sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

void describe('scripted answers on every endpoint (faults.responses)', () => {
  void it('per scenario: each endpoint answers its own script once, then normally', async () => {
    const s = await sim();
    s.setFaults({
      responses: Object.fromEntries(ENDPOINTS.map((e, i) => [e, [{ code: 500 + i, msg: `for ${e}` }]])),
    });
    for (const [i, endpoint] of ENDPOINTS.entries()) {
      const r = await send(s, endpoint);
      assert.deepEqual([r.status, r.body], [200, { code: 500 + i, msg: `for ${endpoint}`, data: null }]);
    }
    for (const endpoint of ENDPOINTS) assert.ok((await send(s, endpoint)).body.code < 500, endpoint);
  });

  void it('nothing is created or charged by a scripted create call', async () => {
    const s = await sim({
      faults: { responses: { generate: [{ code: 429 }], 'jobs/createTask': [{ code: 429 }] } },
    });
    assert.equal((await send(s, 'generate')).body.code, 429);
    assert.equal((await send(s, 'jobs/createTask')).body.code, 429);
    assert.equal(s.credits(), 100_000);
  });

  void it('FIFO per endpoint; other endpoints are left alone; KIE’s text when msg is absent', async () => {
    const s = await sim();
    s.setFaults({ responses: { credit: [{ code: 429 }, { code: 500, msg: 'boom' }, { code: 455 }] } });
    assert.equal((await send(s, 'record-info')).body.code, 422, 'not scripted');
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await send(s, 'credit')).body);
    assert.deepEqual(
      codes.map((b) => b.code),
      [429, 500, 455, 200],
    );
    assert.equal(codes[0]!.msg, 'The request frequency is too high. Please try again later.');
    assert.equal(codes[1]!.msg, 'boom');
  });

  void it('1080p’s 400 says "1080P is processing…" by default', async () => {
    const s = await sim({ faults: { responses: { 'get-1080p-video': [{ code: 400 }] } } });
    assert.match((await send(s, 'get-1080p-video')).body.msg, /^1080P is processing/);
  });

  void it('responses.generate first, then the generateResponses spelling', async () => {
    const s = await sim();
    s.setFaults({ responses: { generate: [{ code: 429 }] }, generateResponses: [{ code: 455 }] });
    assert.equal((await send(s, 'generate')).body.code, 429);
    assert.equal((await send(s, 'generate')).body.code, 455);
    await generate(s);
  });

  void it('mirrorHttpStatus mirrors a scripted code into the HTTP status', async () => {
    const s = await sim({
      mirrorHttpStatus: true,
      faults: { responses: { 'get-4k-video': [{ code: 451 }] } },
    });
    const r = await send(s, 'get-4k-video');
    assert.deepEqual([r.status, r.body.code], [451, 451]);
  });

  void it('the key is checked first: a wrong key gets 401 and the script stays queued', async () => {
    const s = await sim({ faults: { responses: { credit: [{ code: 505 }] } } });
    assert.equal((await send(s, 'credit', { authorization: 'Bearer wrong' })).body.code, 401);
    assert.equal((await send(s, 'credit')).body.code, 505);
  });

  void it('through POST /_sim/faults, shown by GET /_sim/faults as it is consumed', async () => {
    const s = await sim();
    const res = await postFaults(s, { responses: { extend: [{ code: 402 }, { code: 505 }] } });
    assert.equal(res.status, 200);
    assert.equal((await send(s, 'extend')).body.code, 402);
    const now = (await (await fetch(`${s.url}/_sim/faults`)).json()) as { faults: unknown };
    assert.deepEqual(now.faults, { responses: { extend: [{ code: 505 }] } });
  });

  void it('setFaults copies the queues: the caller’s arrays are left alone', async () => {
    const s = await sim();
    const queue = [{ code: 455 }];
    s.setFaults({ responses: { 'download-url': queue } });
    assert.equal((await send(s, 'download-url')).body.code, 455);
    assert.equal(queue.length, 1);
  });
});

void describe('scripted answers per request (X-Sim-Faults)', () => {
  const header = (responses: unknown) => ({ 'x-sim-faults': JSON.stringify({ responses }) });

  void it('answer that request only, with the head of its endpoint’s list, on any endpoint', async () => {
    const s = await sim();
    for (const endpoint of ENDPOINTS) {
      const r = await send(s, endpoint, header({ [endpoint]: [{ code: 433, msg: 'cap' }, { code: 500 }] }));
      assert.deepEqual(r.body, { code: 433, msg: 'cap', data: null }, endpoint);
    }
    assert.equal((await send(s, 'credit')).body.code, 200);
  });

  void it('override the scenario without consuming its queue; another endpoint’s list is ignored', async () => {
    const s = await sim({ faults: { responses: { credit: [{ code: 429 }] } } });
    assert.equal((await send(s, 'credit', header({ credit: [{ code: 505 }] }))).body.code, 505);
    assert.equal((await send(s, 'credit', header({ generate: [{ code: 505 }] }))).body.code, 429);
    assert.equal((await send(s, 'credit')).body.code, 200);
  });

  void it('a generate header’s scripts for other endpoints do not stick to its task', async () => {
    const s = await sim();
    const taskId = await generate(s, {}, header({ 'record-info': [{ code: 500 }] }));
    assert.deepEqual(s.task(taskId)?.faults, {});
    assert.equal((await api(s, 'GET', `/api/v1/veo/record-info?taskId=${taskId}`)).code, 200);
  });
});

void describe('validation of faults.responses', () => {
  const bad: Array<[unknown, RegExp]> = [
    [[{ code: 429 }], /responses must be an object/],
    [{ 'veo/query': [{ code: 429 }] }, /unknown endpoint 'veo\/query' \(one of generate, record-info/],
    [{ credit: { code: 429 } }, /responses\['credit'\] must be an array of \{code/],
    [{ credit: [{ code: '429' }] }, /responses\['credit'\] must be an array/],
    [{ credit: [{ code: 42 }] }, /integer 100–999/],
    [{ credit: [{ code: 429, msg: 5 }] }, /msg\?: string/],
  ];
  for (const [responses, message] of bad) {
    void it(`rejects ${JSON.stringify(responses)}`, async () => {
      const s = await sim();
      const res = await postFaults(s, { responses });
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: string }).error, message);
      const r = await send(s, 'credit', { 'x-sim-faults': JSON.stringify({ responses }) });
      assert.equal(r.body.code, 400);
      assert.match(r.body.msg, /^X-Sim-Faults: /);
      assert.match(r.body.msg, message);
    });
  }

  void it('generateResponses is checked the same way', async () => {
    const s = await sim();
    const res = await postFaults(s, { generateResponses: [{ code: 1000 }] });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /^generateResponses must be an array/);
  });
});
