/**
 * The simulator's signed callbacks, received over HTTP, verified and parsed by this module's
 * webhook-auth and callback schemas — proof the two agree on KIE's documented shapes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createKieClient,
  marketCallbackSchema,
  parseCallbackSummary,
  veo4kCallbackSchema,
  veoCallbackSchema,
  verifyKieSignature,
  type KieClient,
} from '../../src/kie/index.js';
import { startKieSimulator, type KieSimulator } from '../../src/kie-sim/index.js';
import { answerJson, startRawServer, type RawServer, type SeenRequest } from './raw-server.js';
import { FAST, SIM_KEY, waitFor } from './sim-helpers.js';

const HMAC_KEY = 'sim-webhook-hmac-key';
let sim: KieSimulator;
let kie: KieClient;
let receiver: RawServer;

before(async () => {
  receiver = await startRawServer((_r, res) => answerJson(res, 200, { code: 200, msg: 'success' }));
  sim = await startKieSimulator({ ...FAST, hmacKey: HMAC_KEY });
  kie = createKieClient({ baseUrl: sim.url, apiKey: SIM_KEY });
});
after(async () => {
  await sim.close();
  await receiver.close();
});

const callbackTo = (path: string) =>
  waitFor(`callback on ${path}`, async () => receiver.seen.find((r) => r.url === path));

function verified(r: SeenRequest) {
  const body: unknown = JSON.parse(r.body);
  const check = verifyKieSignature({
    hmacKey: HMAC_KEY,
    headers: r.headers,
    body,
    nowSec: Math.floor(Date.now() / 1000),
  });
  assert.equal(check.ok, true, JSON.stringify(check));
  return body;
}

void describe('callbacks from the simulator', () => {
  void it('a Veo success callback verifies and parses to the record-info result', async () => {
    const { taskId } = await kie.generate({
      prompt: 'cb',
      model: 'veo3_fast',
      callBackUrl: `${receiver.url}/veo-ok`,
    });
    const body = verified(await callbackTo('/veo-ok'));
    const cb = veoCallbackSchema.parse(body);
    assert.equal(cb.taskId, taskId);
    assert.equal(cb.succeeded, true);
    assert.deepEqual(cb.resultUrls, (await kie.recordInfo(taskId)).resultUrls);
    assert.deepEqual(parseCallbackSummary(body), { taskId, code: 200, msg: cb.msg });
  });

  void it('a Veo failure callback verifies and carries KIE’s failure code', async () => {
    sim.setFaults({ outcome: { successFlag: 2, errorCode: 400 } });
    try {
      const { taskId } = await kie.generate({
        prompt: 'cb fail',
        model: 'veo3_fast',
        callBackUrl: `${receiver.url}/veo-fail`,
      });
      const cb = veoCallbackSchema.parse(verified(await callbackTo('/veo-fail')));
      assert.deepEqual(
        { taskId: cb.taskId, code: cb.code, succeeded: cb.succeeded, urls: cb.resultUrls },
        { taskId, code: 400, succeeded: false, urls: [] },
      );
    } finally {
      sim.setFaults({});
    }
  });

  void it('a 4K callback verifies and parses', async () => {
    const { taskId } = await kie.generate({ prompt: '4k cb', model: 'veo3_fast' });
    await waitFor('success', async () =>
      (await kie.recordInfo(taskId)).state === 'succeeded' ? true : undefined,
    );
    await kie.request4k({ taskId, callBackUrl: `${receiver.url}/4k` });
    const cb = veo4kCallbackSchema.parse(verified(await callbackTo('/4k')));
    assert.equal(cb.taskId, taskId);
    assert.equal(cb.succeeded, true);
    assert.equal(cb.resultUrls.length, 1);
    assert.equal(cb.imageUrls.length, 1);
  });

  void it('a Market callback verifies and parses', async () => {
    const { taskId } = await kie.marketCreateTask({
      model: 'google/nano-banana',
      input: { prompt: 'p' },
      callBackUrl: `${receiver.url}/market`,
    });
    const cb = marketCallbackSchema.parse(verified(await callbackTo('/market')));
    assert.equal(cb.taskId, taskId);
    assert.equal(cb.state, 'success');
    assert.equal(cb.succeeded, true);
    assert.equal(cb.resultUrls.length, 1);
  });
});
