/**
 * What Market tasks cost the simulated account (docs/kie-api.md#market-models): each model's price per unit,
 * charged on creation, 402 when the balance cannot pay, refunded on failure; and the balance as the
 * control API reads and sets it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MARKET_MODELS, marketPrice } from '../../src/kie-sim/index.js';
import { api, dataOf, sim } from './helpers.js';
import { createTask, created, ended } from './market-helpers.js';

const INSUFFICIENT = { code: 402, msg: 'The current credits are insufficient. Please top up.', data: null };
const IMG = 'https://img.example.com/in.png';

/** [model, input, default credits]. */
const PRICED: Array<[string, Record<string, unknown>, number]> = [
  ['google/nano-banana', { prompt: 'p' }, 4],
  ['google/nano-banana-edit', { prompt: 'p', image_urls: [IMG] }, 4],
  ['google/imagen4', { prompt: 'p' }, 8],
  ['google/imagen4-ultra', { prompt: 'p' }, 12],
  ['google/imagen4-fast', { prompt: 'p' }, 4],
  ['google/imagen4-fast', { prompt: 'p', num_images: '3' }, 12],
  ['kling-2.6/text-to-video', { prompt: 'p', sound: false, aspect_ratio: '1:1', duration: '5' }, 55],
  ['kling-2.6/text-to-video', { prompt: 'p', sound: true, aspect_ratio: '1:1', duration: '10' }, 220],
  ['kling-2.6/image-to-video', { prompt: 'p', image_urls: [IMG], sound: true, duration: '5' }, 110],
  ['sora-2-image-to-video', { prompt: 'p', image_urls: [IMG] }, 30],
  ['sora-2-image-to-video', { prompt: 'p', image_urls: [IMG], n_frames: '15' }, 45],
];

const setCredits = (s: { url: string }, body: unknown) =>
  fetch(`${s.url}/_sim/credits`, { method: 'POST', body: JSON.stringify(body) }).then(async (r) => ({
    status: r.status,
    json: (await r.json()) as Record<string, unknown>,
  }));

void describe('Market credits', () => {
  for (const [model, input, credits] of PRICED) {
    void it(`${model} ${JSON.stringify(input).slice(0, 50)} costs ${credits}, charged on creation, consumed on success`, async () => {
      const s = await sim({ credits: 1000 });
      const taskId = await created(s, model, input);
      assert.equal(s.credits(), 1000 - credits);
      const done = await ended(s, taskId);
      assert.equal(done.creditsConsumed, credits);
      assert.equal(s.credits(), 1000 - credits);
      assert.equal(
        marketPrice(
          MARKET_MODELS[model as keyof typeof MARKET_MODELS],
          input,
          MARKET_MODELS[model as keyof typeof MARKET_MODELS].price,
        ),
        credits,
      );
    });
  }

  void it('short of the price → 402, nothing charged or created; exactly enough → accepted', async () => {
    const s = await sim({ credits: 54 });
    const kling = { prompt: 'p', sound: false, aspect_ratio: '16:9', duration: '5' };
    assert.deepEqual(await createTask(s, { model: 'kling-2.6/text-to-video', input: kling }), INSUFFICIENT);
    assert.equal(s.credits(), 54);
    const { tasks } = (await (await fetch(`${s.url}/_sim/market-tasks`)).json()) as { tasks: unknown[] };
    assert.equal(tasks.length, 0);
    s.setCredits(55);
    await created(s, 'kling-2.6/text-to-video', kling);
    assert.equal(s.credits(), 0);
    assert.deepEqual(
      await createTask(s, { model: 'google/nano-banana', input: { prompt: 'p' } }),
      INSUFFICIENT,
    );
  });

  void it('validation comes before the credit check; the credit check before the rate limit', async () => {
    const s = await sim({ credits: 0, rateLimit: { max: 1, windowMs: 60_000 } });
    assert.equal((await createTask(s, { model: 'google/nano-banana', input: {} })).code, 422);
    assert.deepEqual(
      await createTask(s, { model: 'google/nano-banana', input: { prompt: 'p' } }),
      INSUFFICIENT,
    );
    s.setCredits(100);
    // The 402 did not use up the window.
    assert.equal((await createTask(s, { model: 'google/nano-banana', input: { prompt: 'p' } })).code, 200);
    assert.equal((await createTask(s, { model: 'google/nano-banana', input: { prompt: 'p' } })).code, 429);
  });

  void it('a failed task is refunded: creditsConsumed 0, the balance restored', async () => {
    const s = await sim({ credits: 100, faults: { outcome: { successFlag: 3, errorCode: 501 } } });
    const taskId = await created(s, 'google/imagen4', { prompt: 'p' });
    assert.equal(s.credits(), 92);
    const done = await ended(s, taskId);
    assert.equal(done.creditsConsumed, 0);
    assert.equal(s.credits(), 100);
    assert.equal(s.marketTask(taskId)?.refunded, true);
  });

  void it('marketPrices overrides a model’s price per unit', async () => {
    const s = await sim({
      credits: 1000,
      marketPrices: { 'google/imagen4-fast': 2.5, 'sora-2-image-to-video': 10 },
    });
    await created(s, 'google/imagen4-fast', { prompt: 'p', num_images: '4' });
    assert.equal(s.credits(), 990);
    await created(s, 'sora-2-image-to-video', { prompt: 'p', image_urls: [IMG], n_frames: '15' });
    assert.equal(s.credits(), 840);
  });
});

void describe('the balance through the control API', () => {
  void it('GET and POST /_sim/credits read and set it; /chat/credit and credits() agree', async () => {
    const s = await sim({ credits: 500 });
    assert.deepEqual(await (await fetch(`${s.url}/_sim/credits`)).json(), { credits: 500 });
    assert.deepEqual(await setCredits(s, { credits: 12.5 }), { status: 200, json: { credits: 12.5 } });
    assert.equal(s.credits(), 12.5);
    assert.equal(dataOf<number>(await api(s, 'GET', '/api/v1/chat/credit')), 12.5);
    s.setCredits(3);
    assert.deepEqual(await (await fetch(`${s.url}/_sim/credits`)).json(), { credits: 3 });
    assert.deepEqual(
      await createTask(s, { model: 'google/nano-banana', input: { prompt: 'p' } }),
      INSUFFICIENT,
    );
  });

  void it('a bad balance → 400, unchanged', async () => {
    const s = await sim({ credits: 500 });
    for (const body of [{}, { credits: -1 }, { credits: '5' }, { credits: null }]) {
      const r = await setCredits(s, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(String(r.json.error), /finite number of at least 0/);
    }
    assert.equal(s.credits(), 500);
    assert.throws(() => s.setCredits(-5), RangeError);
    assert.throws(() => s.setCredits(Number.NaN), RangeError);
  });
});
