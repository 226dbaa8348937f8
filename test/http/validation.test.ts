/**
 * POST /v1/videos (and the list's query) refuse bad input with a field-level problem+json before the
 * service is asked: the fake service fails the test if it is called. In-process, no Temporal.
 */
import { describe, it } from 'node:test';
import { assertProblem, client, VALID_BODY } from '../support/api-client.js';
import { startFakeApp } from '../support/fake-app.js';

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

/** [case, raw body, status, field]: bodies that are not a JSON object at all. */
const UNPARSABLE: Array<[string, string, number, string]> = [
  ['non-JSON body', '{"prompt": "fox"', 400, 'body'],
  ['JSON array body', '[]', 422, 'body'],
  ['no body', '', 422, 'prompt'],
  ['body over the size limit', JSON.stringify({ prompt: 'x'.repeat(70_000) }), 413, 'body'],
];

void describe('HTTP layer: validation (422 per field)', () => {
  void it('refuses each invalid field and unparsable body of POST /v1/videos', async (t) => {
    const app = await startFakeApp(t);
    const api = client(app, (await app.user()).apiKey);
    for (const [name, fields, field] of INVALID) {
      await t.test(name, async () => {
        assertProblem(await api('POST', '/v1/videos', { body: { ...VALID_BODY, ...fields } }), 422, field);
      });
    }
    for (const [name, raw, status, field] of UNPARSABLE) {
      await t.test(name, async () => {
        const headers = { 'content-type': 'application/json' };
        assertProblem(await api('POST', '/v1/videos', { body: raw, headers }), status, field);
      });
    }
  });

  void it('refuses a bad Idempotency-Key, list query, or path parameter', async (t) => {
    const app = await startFakeApp(t);
    const api = client(app, (await app.user()).apiKey);
    const headers = { 'idempotency-key': 'k'.repeat(201) };
    assertProblem(await api('POST', '/v1/videos', { headers, body: VALID_BODY }), 422, 'Idempotency-Key');
    assertProblem(await api('GET', '/v1/videos?limit=0'), 422, 'limit');
    assertProblem(await api('GET', '/v1/videos?state=dreaming'), 422, 'state');
    assertProblem(await api('GET', '/v1/videos/x/content?variant=4k'), 422, 'variant');
  });
});
