/**
 * POST /v1/videos refuses bad input with a field-level problem+json and changes nothing: no hold, no
 * ledger entry, no job (docs/architecture.md#http-api: "Bad input gets a clear 4xx and changes nothing").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestStack } from '../helpers/stack.js';
import { assertNothingChanged, assertProblem, client, credits, VALID_BODY } from './helpers.js';

const img = (n: number) => Array.from({ length: n }, (_, i) => `https://images.example.com/${i}.png`);

/** [case, body fields over a valid body, the field the error must name]; all answer 422. */
const INVALID: Array<[string, Record<string, unknown>, string]> = [
  ['prompt: wrong type', { prompt: 42 }, 'prompt'],
  ['prompt: empty', { prompt: '' }, 'prompt'],
  ['prompt: only spaces', { prompt: '   ' }, 'prompt'],
  ['prompt: too long', { prompt: 'x'.repeat(5001) }, 'prompt'],
  ['prompt: missing', { prompt: undefined }, 'prompt'],
  ['model: unknown', { model: 'veo4' }, 'model'],
  ['model: wrong type', { model: 3 }, 'model'],
  ['generationType: unknown', { generationType: 'IMAGE_2_VIDEO' }, 'generationType'],
  ['imageUrls: not an array', { imageUrls: 'https://images.example.com/a.png' }, 'imageUrls'],
  [
    'imageUrls: ftp URL',
    { generationType: 'REFERENCE_2_VIDEO', imageUrls: ['ftp://h/a.png'] },
    'imageUrls.0',
  ],
  ['imageUrls: javascript URL', { imageUrls: ['javascript:alert(1)'] }, 'imageUrls.0'],
  ['imageUrls: not a URL', { imageUrls: ['a.png'] }, 'imageUrls.0'],
  ['imageUrls: 1 for TEXT_2_VIDEO', { generationType: 'TEXT_2_VIDEO', imageUrls: img(1) }, 'imageUrls'],
  [
    'imageUrls: 0 for FIRST_AND_LAST_FRAMES',
    { generationType: 'FIRST_AND_LAST_FRAMES_2_VIDEO' },
    'imageUrls',
  ],
  ['imageUrls: 3 for FIRST_AND_LAST_FRAMES', { imageUrls: img(3) }, 'imageUrls'],
  ['imageUrls: 0 for REFERENCE', { generationType: 'REFERENCE_2_VIDEO' }, 'imageUrls'],
  ['imageUrls: 4 for REFERENCE', { generationType: 'REFERENCE_2_VIDEO', imageUrls: img(4) }, 'imageUrls'],
  [
    'REFERENCE_2_VIDEO with veo3',
    { generationType: 'REFERENCE_2_VIDEO', imageUrls: img(1), model: 'veo3' },
    'model',
  ],
  [
    'REFERENCE_2_VIDEO in 9:16',
    { generationType: 'REFERENCE_2_VIDEO', imageUrls: img(2), aspectRatio: '9:16' },
    'aspectRatio',
  ],
  ['aspectRatio: 1:1', { aspectRatio: '1:1' }, 'aspectRatio'],
  ['aspectRatio: wrong type', { aspectRatio: 16 }, 'aspectRatio'],
  ['seed: 9999', { seed: 9999 }, 'seed'],
  ['seed: 100000', { seed: 100000 }, 'seed'],
  ['seed: not an integer', { seed: 12345.5 }, 'seed'],
  ['seed: a string', { seed: '12345' }, 'seed'],
  ['watermark: wrong type', { watermark: 7 }, 'watermark'],
  ['watermark: too long', { watermark: 'w'.repeat(101) }, 'watermark'],
  ['enableTranslation: a string', { enableTranslation: 'yes' }, 'enableTranslation'],
  ['hd: a string', { hd: 'true' }, 'hd'],
  ['unknown extra field', { duration: 8 }, 'duration'],
];

/** [case, raw body, content type, status, field]: bodies that are not a JSON object at all. */
const UNPARSABLE: Array<[string, string, string, number, string]> = [
  ['non-JSON body', '{"prompt": "fox"', 'application/json', 400, 'body'],
  ['JSON array body', '[]', 'application/json', 422, 'body'],
  ['no body', '', 'application/json', 422, 'prompt'],
  [
    'body over the size limit',
    JSON.stringify({ prompt: 'x'.repeat(70_000) }),
    'application/json',
    413,
    'body',
  ],
];

describe('POST /v1/videos: invalid requests change nothing', () => {
  it('refuses each invalid field, unparsable body, bad key, bad Idempotency-Key and a poor user', async (t) => {
    const stack = await startTestStack(t);
    const user = await stack.user(1000);
    const api = client(stack, user.apiKey);
    const before = await credits(api);

    for (const [name, fields, field] of INVALID) {
      await t.test(name, async () => {
        const reply = await api('POST', '/v1/videos', { body: { ...VALID_BODY, ...fields } });
        assertProblem(reply, 422, field);
        await assertNothingChanged(stack, api, before);
      });
    }

    for (const [name, raw, type, status, field] of UNPARSABLE) {
      await t.test(name, async () => {
        const reply = await api('POST', '/v1/videos', { body: raw, headers: { 'content-type': type } });
        assertProblem(reply, status, field);
        await assertNothingChanged(stack, api, before);
      });
    }

    await t.test('missing, unknown or malformed bearer key → 401', async () => {
      for (const authorization of [undefined, 'Bearer not-a-key', `Basic ${user.apiKey}`, 'Bearer']) {
        const headers: Record<string, string> = authorization ? { authorization } : {};
        const reply = await api('POST', '/v1/videos', { key: null, headers, body: VALID_BODY });
        assertProblem(reply, 401);
        assertProblem(await api('GET', '/v1/videos', { key: null, headers }), 401);
      }
      await assertNothingChanged(stack, api, before);
    });

    await t.test('Idempotency-Key too long → 422', async () => {
      const headers = { 'idempotency-key': 'k'.repeat(201) };
      assertProblem(await api('POST', '/v1/videos', { headers, body: VALID_BODY }), 422, 'Idempotency-Key');
      await assertNothingChanged(stack, api, before);
    });

    await t.test('not enough credits → 402, nothing held', async () => {
      const poor = client(stack, (await stack.user(stack.config.prices.veo3_fast - 1)).apiKey);
      const start = await credits(poor);
      assertProblem(await poor('POST', '/v1/videos', { body: { ...VALID_BODY, model: 'veo3_fast' } }), 402);
      const end = await credits(poor);
      assert.deepEqual(
        { balance: end.balance, held: end.held, available: end.available },
        { balance: start.balance, held: 0, available: start.balance },
      );
      await stack.assertInvariants();
    });
  });
});
