/**
 * Every documented `code` the simulator can produce, through the client, with its classification
 * asserted (kie-api.md §1, DESIGN §2.2), and the API key absent from every error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createKieClient,
  isAmbiguousSubmitFailure,
  type KieClient,
  type VeoGenerateRequest,
} from '../../src/kie/index.js';
import { startKieSimulator, type KieSimulator, type SimOptions } from '../../src/kie-sim/index.js';
import { FAST, rejectsWith, SIM_KEY, waitFor } from './sim-helpers.js';

const sims: KieSimulator[] = [];
after(() => Promise.all(sims.map((s) => s.close())));

async function simWith(opts: SimOptions = {}): Promise<{ sim: KieSimulator; kie: KieClient }> {
  const sim = await startKieSimulator({ ...FAST, ...opts });
  sims.push(sim);
  return { sim, kie: createKieClient({ baseUrl: sim.url, apiKey: SIM_KEY, timeoutMs: 5_000 }) };
}

const request: VeoGenerateRequest = { prompt: 'A quiet harbour', model: 'veo3_fast' };

void describe('codes KIE documents for generate, scripted through generateResponses', () => {
  let sim: KieSimulator;
  let kie: KieClient;
  before(async () => ({ sim, kie } = await simWith()));

  const expectations: Array<[number, 'retryable' | 'permanent']> = [
    [400, 'permanent'],
    [401, 'permanent'],
    [402, 'permanent'],
    [404, 'permanent'],
    [422, 'permanent'],
    [429, 'retryable'],
    [433, 'retryable'],
    [451, 'permanent'],
    [455, 'retryable'],
    [500, 'retryable'],
    [501, 'permanent'],
    [505, 'permanent'],
  ];
  for (const [code, kind] of expectations) {
    void it(`${code} → ${kind}, not an ambiguous submit`, async () => {
      sim.setFaults({ generateResponses: [{ code, msg: `scripted ${code}` }] });
      const err = await rejectsWith(kie.generate(request), {
        code,
        msg: `scripted ${code}`,
        kind,
        endpoint: 'generate',
        httpStatus: 200,
        requestSent: true,
      });
      assert.equal(isAmbiguousSubmitFailure(err), false);
    });
  }

  void it('a queue of three 429s, then success', async () => {
    sim.setFaults({ generateResponses: [{ code: 429 }, { code: 429 }, { code: 429 }] });
    for (let i = 0; i < 3; i++) await rejectsWith(kie.generate(request), { code: 429, kind: 'retryable' });
    assert.match((await kie.generate(request)).taskId, /^veo_task_/);
  });
});

void describe('codes the simulator produces from its own rules', () => {
  void it('401: a wrong key, on every endpoint', async () => {
    const { sim } = await simWith();
    const WRONG = 'sk-wrong-0a1b2c3d4e5f';
    const bad = createKieClient({ baseUrl: sim.url, apiKey: WRONG });
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['generate', () => bad.generate(request)],
      ['record-info', () => bad.recordInfo('t')],
      ['get-1080p-video', () => bad.get1080p('t')],
      ['get-4k-video', () => bad.request4k({ taskId: 't' })],
      ['extend', () => bad.extend({ taskId: 't', prompt: 'p' })],
      ['credit', () => bad.credits()],
      ['download-url', () => bad.downloadUrl('https://x/y.mp4')],
      ['jobs/createTask', () => bad.marketCreateTask({ model: 'google/nano-banana', input: {} })],
      ['jobs/recordInfo', () => bad.marketRecordInfo('t')],
    ];
    for (const [endpoint, call] of calls) {
      await rejectsWith(call(), { code: 401, kind: 'permanent', endpoint }, WRONG);
    }
  });

  void it('402: not enough credits for the model', async () => {
    const { kie, sim } = await simWith({ credits: 100 });
    await rejectsWith(kie.generate({ ...request, model: 'veo3' }), {
      code: 402,
      msg: 'The current credits are insufficient. Please top up.',
      kind: 'permanent',
    });
    assert.equal(sim.credits(), 100, 'nothing charged');
  });

  void it('422: KIE’s validation (seeds range, image counts, reference limits, unknown aspect ratio)', async () => {
    const { kie } = await simWith();
    const invalid: VeoGenerateRequest[] = [
      { ...request, seeds: 5 },
      { ...request, generationType: 'TEXT_2_VIDEO', imageUrls: ['https://img/1.png'] },
      { ...request, generationType: 'REFERENCE_2_VIDEO', imageUrls: ['https://img/1.png'], model: 'veo3' },
      { ...request, aspectRatio: '1:1' as VeoGenerateRequest['aspectRatio'] },
    ];
    for (const r of invalid)
      await rejectsWith(kie.generate(r), { code: 422, kind: 'permanent', endpoint: 'generate' });
  });

  void it('429: the rate limit on new generations', async () => {
    const { kie } = await simWith({ rateLimit: { max: 2, windowMs: 60_000 } });
    await kie.generate(request);
    await kie.generate(request);
    await rejectsWith(kie.generate(request), { code: 429, kind: 'retryable', endpoint: 'generate' });
  });

  void it('455: maintenance, on every endpoint', async () => {
    const { kie, sim } = await simWith();
    const { taskId } = await kie.generate(request);
    sim.setFaults({ maintenance: true });
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['generate', () => kie.generate(request)],
      ['record-info', () => kie.recordInfo(taskId)],
      ['get-1080p-video', () => kie.get1080p(taskId)],
      ['get-4k-video', () => kie.request4k({ taskId })],
      ['extend', () => kie.extend({ taskId, prompt: 'p' })],
      ['credit', () => kie.credits()],
      ['download-url', () => kie.downloadUrl(`${sim.url}/files/00.mp4`)],
      ['jobs/createTask', () => kie.marketCreateTask({ model: 'google/nano-banana', input: {} })],
      ['jobs/recordInfo', () => kie.marketRecordInfo('t')],
    ];
    for (const [endpoint, call] of calls)
      await rejectsWith(call(), { code: 455, kind: 'retryable', endpoint });
    sim.setFaults({});
    assert.ok((await kie.recordInfo(taskId)).taskId);
  });

  void it('codes mirrored into the HTTP status are read the same way', async () => {
    const { kie, sim } = await simWith({ mirrorHttpStatus: true, credits: 100 });
    await rejectsWith(kie.generate({ ...request, model: 'veo3' }), {
      code: 402,
      httpStatus: 402,
      kind: 'permanent',
    });
    sim.setFaults({ generateResponses: [{ code: 500 }] });
    await rejectsWith(kie.generate(request), { code: 500, httpStatus: 500, kind: 'retryable' });
    const { taskId } = await kie.generate({ ...request, model: 'veo3_lite' });
    await waitFor('success', async () =>
      (await kie.recordInfo(taskId)).state === 'succeeded' ? true : undefined,
    );
    // 1080p "processing" arrives as HTTP 400 here: still pending, not an error.
    assert.equal((await kie.get1080p(taskId)).status, 'pending');
  });
});
