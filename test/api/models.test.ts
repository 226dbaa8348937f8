/**
 * GET /v1/models: the configured prices and the request limits, public (the studio shows them before
 * sign-in), and the limits it publishes are the ones POST /v1/videos applies.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestStack } from '../support/stack.js';
import { assertProblem, call, client } from '../support/api-client.js';

interface Catalog {
  models: Array<{ id: string; name: string; price: number; kind: string; endpoint: string }>;
  hdPrice: number;
  limits: {
    promptMaxLength: number;
    imageCounts: Record<string, { min: number; max: number }>;
    seed: { min: number; max: number };
  };
}

describe('GET /v1/models', () => {
  it('lists each model at its configured price, and the limits POST /v1/videos enforces', async (t) => {
    const stack = await startTestStack(t, {
      env: {
        PRICE_VEO3: '300',
        PRICE_VEO3_FAST: '90',
        PRICE_VEO3_LITE: '40',
        PRICE_HD: '7',
        PRICE_NANO_BANANA: '5',
        PRICE_IMAGEN4: '9',
        PRICE_KLING_2_6: '60',
        PRICE_SORA_2: '35',
      },
    });
    const reply = await call(stack.apiUrl!, 'GET', '/v1/models', { key: null });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const catalog = reply.body as Catalog;
    assert.deepEqual(
      catalog.models.map(({ id, name, price, kind, endpoint }) => ({ id, name, price, kind, endpoint })),
      [
        { id: 'veo3', name: 'Veo 3.1', price: 300, kind: 'video', endpoint: '/v1/videos' },
        { id: 'veo3_fast', name: 'Veo 3.1 Fast', price: 90, kind: 'video', endpoint: '/v1/videos' },
        { id: 'veo3_lite', name: 'Veo 3.1 Lite', price: 40, kind: 'video', endpoint: '/v1/videos' },
        { id: 'nano-banana', name: 'Nano Banana', price: 5, kind: 'image', endpoint: '/v1/images' },
        { id: 'imagen4', name: 'Imagen 4', price: 9, kind: 'image', endpoint: '/v1/images' },
        { id: 'kling-2.6', name: 'Kling 2.6', price: 60, kind: 'video', endpoint: '/v1/videos' },
        { id: 'sora-2', name: 'Sora 2', price: 35, kind: 'video', endpoint: '/v1/videos' },
      ],
    );
    assert.equal(catalog.hdPrice, 7);

    const user = await stack.user(0);
    const api = client(stack, user.apiKey);
    const { limits } = catalog;
    const over = async (body: Record<string, unknown>, field: string) =>
      assertProblem(await api('POST', '/v1/videos', { body: { prompt: 'p', ...body } }), 422, field);
    await over({ prompt: 'x'.repeat(limits.promptMaxLength + 1) }, 'prompt');
    await over({ seed: limits.seed.max + 1 }, 'seed');
    await over({ seed: limits.seed.min - 1 }, 'seed');
    for (const [generationType, { min, max }] of Object.entries(limits.imageCounts)) {
      const urls = (n: number) => Array.from({ length: n }, (_, i) => `https://img.example.com/${i}.png`);
      if (max < 3) await over({ generationType, imageUrls: urls(max + 1) }, 'imageUrls');
      if (min > 0) await over({ generationType, imageUrls: urls(min - 1) }, 'imageUrls');
    }
    // Within the limits, the request passes validation (and, with no credits, stops at 402).
    const within = await api('POST', '/v1/videos', {
      body: { prompt: 'x'.repeat(limits.promptMaxLength), seed: limits.seed.max },
    });
    assertProblem(within, 402);
  });
});
