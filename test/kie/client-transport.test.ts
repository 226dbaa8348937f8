/**
 * The client's HTTP behaviour against raw servers: what it sends, how it reads non-2xx and non-JSON
 * answers, timeouts and refused connections (with `requestSent`), metrics, and key hygiene.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  createKieClient,
  isAmbiguousSubmitFailure,
  type KieCallEvent,
  type KieError,
} from '../../src/kie/index.js';
import { rejectsWithKieError } from './assert-kie-error.js';
import { answerJson, refusedPortUrl, startRawServer, type RawServer } from './raw-server.js';

const KEY = 'sk-test-7f3a9c2e5b1d4e8f';
const servers: RawServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function server(handle: Parameters<typeof startRawServer>[0]) {
  const s = await startRawServer(handle);
  servers.push(s);
  return s;
}

const ok = { code: 200, msg: 'success', data: { taskId: 'veo_task_1' } };

const rejectsWith = (p: Promise<unknown>, fields: Partial<KieError>) => rejectsWithKieError(p, fields, KEY);

void describe('what the client sends', () => {
  void it('generate: Bearer key, JSON, model always, aspect_ratio, no enhancePrompt/enableFallback', async () => {
    const s = await server((_r, res) => answerJson(res, 200, ok));
    const kie = createKieClient({ baseUrl: s.url, apiKey: KEY });
    assert.deepEqual(
      await kie.generate({
        prompt: 'A cat',
        model: 'veo3_fast',
        aspectRatio: '9:16',
        seeds: 12345,
        enableTranslation: false,
        watermark: 'wm',
        callBackUrl: 'https://me/cb',
      }),
      { taskId: 'veo_task_1' },
    );
    await kie.generate({ prompt: 'Plain', model: 'veo3' });
    const [full, plain] = s.seen;
    assert.equal(full?.method, 'POST');
    assert.equal(full?.url, '/api/v1/veo/generate');
    assert.equal(full?.headers.authorization, `Bearer ${KEY}`);
    assert.equal(full?.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(full?.body ?? ''), {
      prompt: 'A cat',
      model: 'veo3_fast',
      aspect_ratio: '9:16',
      seeds: 12345,
      callBackUrl: 'https://me/cb',
      enableTranslation: false,
      watermark: 'wm',
    });
    assert.deepEqual(JSON.parse(plain?.body ?? ''), { prompt: 'Plain', model: 'veo3' });
  });

  void it('generate: also sends camelCase aspectRatio when asked', async () => {
    const s = await server((_r, res) => answerJson(res, 200, ok));
    const kie = createKieClient({ baseUrl: s.url, apiKey: KEY, sendCamelCaseAspect: true });
    await kie.generate({
      prompt: 'p',
      model: 'veo3_lite',
      aspectRatio: 'Auto',
      generationType: 'TEXT_2_VIDEO',
    });
    assert.deepEqual(JSON.parse(s.seen[0]?.body ?? ''), {
      prompt: 'p',
      model: 'veo3_lite',
      generationType: 'TEXT_2_VIDEO',
      aspect_ratio: 'Auto',
      aspectRatio: 'Auto',
    });
  });

  void it('GETs put the task id in the query; extend defaults model to fast; 4K sends index 0', async () => {
    const s = await server((r, res) => {
      if (r.url.startsWith('/api/v1/veo/get-1080p-video'))
        return answerJson(res, 200, { code: 200, msg: 'success', data: { resultUrl: 'https://hd' } });
      if (r.url.startsWith('/api/v1/veo/get-4k-video'))
        return answerJson(res, 200, { code: 200, msg: 'success', data: { taskId: 't', resultUrls: null } });
      answerJson(res, 200, ok);
    });
    const kie = createKieClient({ baseUrl: `${s.url}/`, apiKey: KEY });
    assert.deepEqual(await kie.get1080p('veo task/1', 2), { status: 'ready', url: 'https://hd' });
    await kie.extend({ taskId: 'veo_task_1', prompt: 'more' });
    await kie.request4k({ taskId: 'veo_task_1' });
    assert.equal(s.seen[0]?.url, '/api/v1/veo/get-1080p-video?taskId=veo+task%2F1&index=2');
    assert.equal(s.seen[0]?.headers['content-type'], undefined);
    assert.deepEqual(JSON.parse(s.seen[1]?.body ?? ''), {
      taskId: 'veo_task_1',
      prompt: 'more',
      model: 'fast',
    });
    assert.deepEqual(JSON.parse(s.seen[2]?.body ?? ''), { taskId: 'veo_task_1', index: 0 });
  });

  void it('keeps a base URL path prefix (a proxy in front of KIE)', async () => {
    const s = await server((_r, res) => answerJson(res, 200, { code: 200, msg: 'success', data: 7 }));
    const kie = createKieClient({ baseUrl: `${s.url}/kie/`, apiKey: KEY });
    assert.equal(await kie.credits(), 7);
    assert.equal(s.seen[0]?.url, '/kie/api/v1/chat/credit');
  });
});

void describe('reading answers', () => {
  void it('parses the body of a non-2xx answer; body code wins', async () => {
    const s = await server((_r, res) => answerJson(res, 429, { code: 429, msg: 'slow down', data: null }));
    const kie = createKieClient({ baseUrl: s.url, apiKey: KEY });
    await rejectsWith(kie.generate({ prompt: 'p', model: 'veo3_fast' }), {
      code: 429,
      msg: 'slow down',
      kind: 'retryable',
      httpStatus: 429,
      requestSent: true,
    });
  });

  void it('a non-JSON answer becomes {code: httpStatus, msg: statusText}', async () => {
    const s = await server((_r, res) => {
      res.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' });
      res.end('<html>upstream down</html>');
    });
    const kie = createKieClient({ baseUrl: s.url, apiKey: KEY });
    await rejectsWith(kie.recordInfo('t'), {
      code: 502,
      msg: 'Bad Gateway',
      kind: 'retryable',
      httpStatus: 502,
    });
    // On a create call the gateway's page says nothing of whether KIE got the request: ambiguous.
    const err = await rejectsWith(kie.generate({ prompt: 'p', model: 'veo3_fast' }), {
      code: 502,
      httpStatus: 502,
      requestSent: true,
    });
    assert.equal(err.notFromKie, true);
    assert.equal(isAmbiguousSubmitFailure(err), true);
  });

  void it("KIE's own 5xx envelope is a refusal, not ambiguous; a gateway's 4xx page neither", async () => {
    const kieSide = await server((_r, res) => answerJson(res, 500, '{"code":500,"msg":"Internal Error"}'));
    const kieErr = await rejectsWith(
      createKieClient({ baseUrl: kieSide.url, apiKey: KEY }).generate({ prompt: 'p', model: 'veo3_fast' }),
      { code: 500, kind: 'retryable', httpStatus: 500 },
    );
    assert.equal(isAmbiguousSubmitFailure(kieErr), false);
    const proxy = await server((_r, res) => {
      res.writeHead(413, 'Payload Too Large', { 'content-type': 'text/html' });
      res.end('<html>too large</html>');
    });
    const proxyErr = await rejectsWith(
      createKieClient({ baseUrl: proxy.url, apiKey: KEY }).generate({ prompt: 'p', model: 'veo3_fast' }),
      { code: 413, kind: 'permanent', httpStatus: 413 },
    );
    assert.equal(isAmbiguousSubmitFailure(proxyErr), false);
  });

  void it('a 200 without a taskId on generate is a malformed, ambiguous success', async () => {
    const s = await server((_r, res) => answerJson(res, 200, '<html>ok</html>'));
    const kie = createKieClient({ baseUrl: s.url, apiKey: KEY });
    const err = await rejectsWith(kie.generate({ prompt: 'p', model: 'veo3_fast' }), {
      code: 200,
      kind: 'retryable',
      malformedReply: true,
    });
    assert.equal(isAmbiguousSubmitFailure(err), true);
  });

  void it('an over-large reply is refused without buffering it all', async () => {
    const s = await server((_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"code":200,"msg":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    });
    const kie = createKieClient({ baseUrl: s.url, apiKey: KEY });
    await rejectsWith(kie.credits(), { code: 200, kind: 'retryable', httpStatus: 200, requestSent: true });
  });
});

void describe('transport failures', () => {
  void it('a server that never answers → timeout: code 0, retryable, requestSent true (ambiguous submit)', async () => {
    const s = await server(() => undefined);
    const kie = createKieClient({ baseUrl: s.url, apiKey: KEY, timeoutMs: 200 });
    const started = Date.now();
    const err = await rejectsWith(kie.generate({ prompt: 'p', model: 'veo3_fast' }), {
      code: 0,
      kind: 'retryable',
      httpStatus: null,
      requestSent: true,
    });
    assert.ok(Date.now() - started < 2_000, 'timed out promptly');
    assert.match(err.msg, /200 ms/);
    assert.equal(isAmbiguousSubmitFailure(err), true);
    await rejectsWith(kie.recordInfo('t'), { code: 0, kind: 'retryable', requestSent: true });
  });

  void it('a reply that stalls half way → timeout, requestSent true', async () => {
    const s = await server((_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"code":200,"msg":"succ');
    });
    const kie = createKieClient({ baseUrl: s.url, apiKey: KEY, timeoutMs: 200 });
    const err = await rejectsWith(kie.credits(), {
      code: 0,
      kind: 'retryable',
      httpStatus: null,
      requestSent: true,
    });
    assert.match(err.msg, /no complete answer within 200 ms/);
  });

  void it('a refused connection → code 0, retryable, requestSent false (safe to retry a submit)', async () => {
    const kie = createKieClient({ baseUrl: await refusedPortUrl(), apiKey: KEY, timeoutMs: 2_000 });
    const err = await rejectsWith(kie.generate({ prompt: 'p', model: 'veo3_fast' }), {
      code: 0,
      kind: 'retryable',
      httpStatus: null,
      requestSent: false,
    });
    assert.match(err.msg, /ECONNREFUSED/);
    assert.equal(isAmbiguousSubmitFailure(err), false);
  });

  void it('a connection reset after the request arrived → requestSent true', async () => {
    const s = await server((_r, res) => res.socket?.destroy());
    const kie = createKieClient({ baseUrl: s.url, apiKey: KEY });
    const err = await rejectsWith(kie.generate({ prompt: 'p', model: 'veo3_fast' }), {
      code: 0,
      requestSent: true,
    });
    assert.equal(isAmbiguousSubmitFailure(err), true);
  });
});

void describe('metrics hook and key hygiene', () => {
  void it('reports endpoint, code and duration per call; a throwing hook breaks nothing', async () => {
    const s = await server((r, res) =>
      r.url.includes('credit')
        ? answerJson(res, 200, { code: 200, msg: 'success', data: 3 })
        : answerJson(res, 200, { code: 455, msg: 'maintenance' }),
    );
    const events: KieCallEvent[] = [];
    const kie = createKieClient({
      baseUrl: s.url,
      apiKey: KEY,
      onCall: (e) => {
        events.push(e);
        throw new Error('metrics broke');
      },
    });
    assert.equal(await kie.credits(), 3);
    await rejectsWith(kie.recordInfo('t'), { code: 455, kind: 'retryable' });
    assert.deepEqual(
      events.map(({ endpoint, code }) => ({ endpoint, code })),
      [
        { endpoint: 'credit', code: 200 },
        { endpoint: 'record-info', code: 455 },
      ],
    );
    assert.ok(events.every((e) => e.durationMs >= 0));
  });

  void it('scrubs the key should KIE ever echo it, and never exposes it on the client object', async () => {
    const s = await server((r, res) =>
      answerJson(res, 200, { code: 401, msg: `bad key ${r.headers.authorization}` }),
    );
    const kie = createKieClient({ baseUrl: s.url, apiKey: KEY });
    const err = await rejectsWith(kie.credits(), { code: 401, kind: 'permanent' });
    assert.equal(err.msg, 'bad key Bearer [redacted]');
    assert.ok(!JSON.stringify(kie).includes(KEY));
    assert.ok(!inspect(kie, { depth: 5, showHidden: true }).includes(KEY));
  });

  void it('refuses a key that cannot be an HTTP header value, without echoing it', () => {
    assert.throws(
      () => createKieClient({ baseUrl: 'http://127.0.0.1:1', apiKey: `${KEY}\r\nx: y` }),
      (e: unknown) => e instanceof Error && !e.message.includes(KEY),
    );
  });
});
