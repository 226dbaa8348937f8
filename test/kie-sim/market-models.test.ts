/**
 * Each Market model the simulator serves (docs/kie-api.md#market-models): a valid request ends in success with
 * as many files as the model makes, of the right type (magic bytes, Content-Type, extension),
 * downloadable from the simulator; an invalid one answers 422 with what is wrong.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MARKET_MODEL_NAMES } from '../../src/kie-sim/index.js';
import { api, dataOf, download, sim } from './helpers.js';
import {
  assertFiles,
  createTask,
  created,
  ended,
  info,
  resultOf,
  sniff,
  type Kind,
} from './market-helpers.js';

const IMG = 'https://img.example.com/in.png';

interface Case {
  name: string;
  model: string;
  input: Record<string, unknown>;
  kind: Kind;
  files: number;
}

const CASES: Case[] = [
  {
    name: 'nano-banana, default format',
    model: 'google/nano-banana',
    input: { prompt: 'a banana' },
    kind: 'png',
    files: 1,
  },
  {
    name: 'nano-banana, output_format jpeg',
    model: 'google/nano-banana',
    input: { prompt: 'a banana', output_format: 'jpeg', aspect_ratio: '21:9', nsfw_checker: true },
    kind: 'jpeg',
    files: 1,
  },
  {
    name: 'nano-banana, the deprecated image_size',
    model: 'google/nano-banana',
    input: { prompt: 'a banana', output_format: 'png', image_size: '4:5' },
    kind: 'png',
    files: 1,
  },
  {
    name: 'nano-banana-edit, ten input images',
    model: 'google/nano-banana-edit',
    input: {
      prompt: 'make it blue',
      image_urls: Array(10).fill(IMG),
      output_format: 'jpeg',
      aspect_ratio: 'auto',
    },
    kind: 'jpeg',
    files: 1,
  },
  {
    name: 'imagen4',
    model: 'google/imagen4',
    input: { prompt: 'a fox', negative_prompt: '', aspect_ratio: '9:16', seed: '' },
    kind: 'png',
    files: 1,
  },
  {
    name: 'imagen4-ultra, an integer seed',
    model: 'google/imagen4-ultra',
    input: { prompt: 'a fox', seed: 42 },
    kind: 'png',
    files: 1,
  },
  {
    name: 'imagen4-fast, num_images 3',
    model: 'google/imagen4-fast',
    input: { prompt: 'a fox', num_images: '3', aspect_ratio: '16:9' },
    kind: 'png',
    files: 3,
  },
  {
    name: 'kling 2.6 text-to-video',
    model: 'kling-2.6/text-to-video',
    input: { prompt: 'waves', sound: false, aspect_ratio: '16:9', duration: '5' },
    kind: 'mp4',
    files: 1,
  },
  {
    name: 'kling 2.6 image-to-video',
    model: 'kling-2.6/image-to-video',
    input: { prompt: 'waves', image_urls: [IMG], sound: true, duration: '10' },
    kind: 'mp4',
    files: 1,
  },
  {
    name: 'sora 2 image-to-video',
    model: 'sora-2-image-to-video',
    input: {
      prompt: 'a conductor',
      image_urls: [IMG],
      aspect_ratio: 'portrait',
      n_frames: '15',
      remove_watermark: true,
      character_id_list: ['example_1'],
    },
    kind: 'mp4',
    files: 1,
  },
];

void describe('Market models: success', () => {
  void it('the model table is the six models of the brief, with imagen4-fast and -ultra', () => {
    assert.deepEqual([...MARKET_MODEL_NAMES].sort(), [
      'google/imagen4',
      'google/imagen4-fast',
      'google/imagen4-ultra',
      'google/nano-banana',
      'google/nano-banana-edit',
      'kling-2.6/image-to-video',
      'kling-2.6/text-to-video',
      'sora-2-image-to-video',
    ]);
  });

  for (const c of CASES) {
    void it(`${c.name}: ${c.files} ${c.kind} file(s), downloadable`, async () => {
      const s = await sim();
      const taskId = await created(s, c.model, c.input);
      const done = await ended(s, taskId);
      assert.equal(done.state, 'success');
      assert.equal(done.model, c.model);
      assert.deepEqual(JSON.parse(done.param), { model: c.model, input: c.input });
      const result = resultOf(done);
      assert.equal(result.resultUrls.length, c.files);
      const hashes = await assertFiles(result.resultUrls, c.kind);
      assert.equal(new Set(hashes).size, hashes.length, 'each file has bytes of its own');
      // The in-process hash of a result URL is that of the bytes served.
      assert.deepEqual(
        result.resultUrls.map((u) => s.fileSha256(u)),
        hashes,
      );
      if (c.model.startsWith('sora-')) {
        assert.equal(result.resultWaterMarkUrls?.length, 1);
        const [marked] = await assertFiles(result.resultWaterMarkUrls ?? [], 'mp4');
        assert.notEqual(marked, hashes[0], 'the watermarked copy is another file');
        assert.equal(done.progress, 100);
      } else {
        assert.equal(result.resultWaterMarkUrls, undefined);
        assert.equal(done.progress, undefined, 'progress is only reported for Sora');
      }
    });
  }

  void it('marketImageFormat sets the format of the imagen4 models (which have no output_format): webp', async () => {
    const s = await sim({ marketImageFormat: 'webp' });
    const done = await ended(s, await created(s, 'google/imagen4-fast', { prompt: 'p', num_images: '2' }));
    const urls = resultOf(done).resultUrls;
    assert.equal(urls.length, 2);
    await assertFiles(urls, 'webp');
    // nano-banana keeps its own output_format.
    const nano = await ended(s, await created(s, 'google/nano-banana', { prompt: 'p' }));
    await assertFiles(resultOf(nano).resultUrls, 'png');
  });

  void it('Sora reports progress (0–99) while running; others do not', async () => {
    const s = await sim({ durationsMs: { market: 60_000 } });
    const sora = await info(s, await created(s, 'sora-2-image-to-video', { prompt: 'p', image_urls: [IMG] }));
    assert.equal(sora.state, 'waiting');
    assert.ok(typeof sora.progress === 'number' && sora.progress >= 0 && sora.progress < 100);
    const kling = await info(
      s,
      await created(s, 'kling-2.6/text-to-video', {
        prompt: 'p',
        sound: false,
        aspect_ratio: '1:1',
        duration: '5',
      }),
    );
    assert.equal(kling.progress, undefined);
  });

  void it('download-url refreshes an image URL to the same file (format and index kept)', async () => {
    const s = await sim();
    const done = await ended(s, await created(s, 'google/imagen4-fast', { prompt: 'p', num_images: '2' }));
    const second = resultOf(done).resultUrls[1]!;
    const fresh = await api(s, 'POST', '/api/v1/common/download-url', { url: second });
    assert.equal(fresh.code, 200);
    const url = dataOf<string>(fresh);
    assert.notEqual(url, second);
    assert.ok(url.endsWith('.png'));
    assert.deepEqual((await download(url)).bytes, (await download(second)).bytes);
  });

  void it('a file asked for with another extension is not found', async () => {
    const s = await sim();
    const done = await ended(s, await created(s, 'google/nano-banana', { prompt: 'p' }));
    const url = resultOf(done).resultUrls[0]!;
    assert.equal((await download(url.replace(/\.png$/, '.jpg'))).status, 404);
    assert.equal(sniff((await download(url)).bytes), 'png');
  });
});

const VALID: Record<string, Record<string, unknown>> = {
  'google/nano-banana': { prompt: 'p' },
  'google/nano-banana-edit': { prompt: 'p', image_urls: [IMG] },
  'google/imagen4': { prompt: 'p' },
  'google/imagen4-fast': { prompt: 'p' },
  'google/imagen4-ultra': { prompt: 'p' },
  'kling-2.6/text-to-video': { prompt: 'p', sound: false, aspect_ratio: '16:9', duration: '5' },
  'kling-2.6/image-to-video': { prompt: 'p', image_urls: [IMG], sound: false, duration: '5' },
  'sora-2-image-to-video': { prompt: 'p', image_urls: [IMG] },
};

/** [model, input changes (undefined = remove the field), the 422 message]. */
const INVALID: Array<[string, Record<string, unknown>, string]> = [
  ['google/nano-banana', { prompt: undefined }, 'input.prompt is required'],
  ['google/nano-banana', { prompt: '   ' }, 'input.prompt is required'],
  ['google/nano-banana', { prompt: 7 }, 'input.prompt must be a string'],
  [
    'google/nano-banana',
    { prompt: 'x'.repeat(5001) },
    'input.prompt must be at most 5000 characters, got 5001',
  ],
  ['google/nano-banana', { output_format: 'webp' }, 'Invalid input.output_format: must be one of png, jpeg'],
  [
    'google/nano-banana',
    { aspect_ratio: '7:3' },
    'Invalid input.aspect_ratio: must be one of 1:1, 9:16, 16:9, 3:4, 4:3, 3:2, 2:3, 5:4, 4:5, 21:9, auto',
  ],
  [
    'google/nano-banana',
    { image_size: '7:3' },
    'Invalid input.image_size: must be one of 1:1, 9:16, 16:9, 3:4, 4:3, 3:2, 2:3, 5:4, 4:5, 21:9, auto',
  ],
  ['google/nano-banana', { nsfw_checker: 'no' }, 'input.nsfw_checker must be a boolean'],
  ['google/nano-banana-edit', { image_urls: undefined }, 'input.image_urls is required'],
  ['google/nano-banana-edit', { image_urls: [] }, 'input.image_urls is required'],
  ['google/nano-banana-edit', { image_urls: IMG }, 'input.image_urls must be an array of http(s) URLs'],
  [
    'google/nano-banana-edit',
    { image_urls: ['ftp://x/y.png'] },
    'input.image_urls must be an array of http(s) URLs',
  ],
  [
    'google/nano-banana-edit',
    { image_urls: Array(11).fill(IMG) },
    'input.image_urls takes at most 10 images, got 11',
  ],
  [
    'google/imagen4',
    { aspect_ratio: '21:9' },
    'Invalid input.aspect_ratio: must be one of 1:1, 16:9, 9:16, 3:4, 4:3, auto',
  ],
  [
    'google/imagen4',
    { negative_prompt: 'x'.repeat(5001) },
    'input.negative_prompt must be at most 5000 characters, got 5001',
  ],
  [
    'google/imagen4-ultra',
    { seed: 1.5 },
    'input.seed must be an integer or a string of at most 500 characters',
  ],
  [
    'google/imagen4-ultra',
    { seed: 'x'.repeat(501) },
    'input.seed must be an integer or a string of at most 500 characters',
  ],
  ['google/imagen4-fast', { num_images: '5' }, 'Invalid input.num_images: must be one of 1, 2, 3, 4'],
  ['google/imagen4-fast', { num_images: 2 }, 'Invalid input.num_images: must be one of 1, 2, 3, 4'],
  [
    'kling-2.6/text-to-video',
    { prompt: 'x'.repeat(1001) },
    'input.prompt must be at most 1000 characters, got 1001',
  ],
  ['kling-2.6/text-to-video', { sound: undefined }, 'input.sound is required'],
  ['kling-2.6/text-to-video', { sound: 'true' }, 'input.sound must be a boolean'],
  ['kling-2.6/text-to-video', { aspect_ratio: undefined }, 'input.aspect_ratio is required'],
  [
    'kling-2.6/text-to-video',
    { aspect_ratio: '4:3' },
    'Invalid input.aspect_ratio: must be one of 1:1, 16:9, 9:16',
  ],
  ['kling-2.6/text-to-video', { duration: undefined }, 'input.duration is required'],
  ['kling-2.6/text-to-video', { duration: 5 }, 'Invalid input.duration: must be one of 5, 10'],
  ['kling-2.6/image-to-video', { image_urls: undefined }, 'input.image_urls is required'],
  ['kling-2.6/image-to-video', { image_urls: [IMG, IMG] }, 'input.image_urls takes at most 1 image, got 2'],
  ['kling-2.6/image-to-video', { duration: '7' }, 'Invalid input.duration: must be one of 5, 10'],
  [
    'sora-2-image-to-video',
    { prompt: 'x'.repeat(10001) },
    'input.prompt must be at most 10000 characters, got 10001',
  ],
  ['sora-2-image-to-video', { image_urls: undefined }, 'input.image_urls is required'],
  ['sora-2-image-to-video', { image_urls: [IMG, IMG] }, 'input.image_urls takes at most 1 image, got 2'],
  [
    'sora-2-image-to-video',
    { aspect_ratio: '16:9' },
    'Invalid input.aspect_ratio: must be one of portrait, landscape',
  ],
  ['sora-2-image-to-video', { n_frames: '12' }, 'Invalid input.n_frames: must be one of 10, 15'],
  ['sora-2-image-to-video', { remove_watermark: 1 }, 'input.remove_watermark must be a boolean'],
  [
    'sora-2-image-to-video',
    { character_id_list: ['a', 'b', 'c', 'd', 'e', 'f'] },
    'input.character_id_list must be an array of at most 5 strings',
  ],
];

const withChanges = (base: Record<string, unknown>, changes: Record<string, unknown>) => {
  const out = { ...base, ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete out[k];
  return out;
};

void describe('Market models: validation (422, nothing created or charged)', () => {
  for (const [model, changes, msg] of INVALID) {
    void it(`${model} ${JSON.stringify(changes).slice(0, 60)} → ${msg.slice(0, 60)}`, async () => {
      const s = await sim({ credits: 1000 });
      const r = await createTask(s, { model, input: withChanges(VALID[model]!, changes) });
      assert.deepEqual(r, { code: 422, msg, data: null });
      assert.equal(s.credits(), 1000);
      const listed = (await (await fetch(`${s.url}/_sim/market-tasks`)).json()) as { tasks: unknown[] };
      assert.deepEqual(listed.tasks, []);
    });
  }

  void it('each model accepts its minimal valid input; unknown input fields are ignored', async () => {
    const s = await sim();
    for (const [model, input] of Object.entries(VALID)) {
      const r = await createTask(s, { model, input: { ...input, undocumented_field: 'x' } });
      assert.equal(r.code, 200, `${model}: ${r.msg}`);
    }
  });

  void it('the request: a published model, an input object, http(s) callback URLs', async () => {
    const s = await sim();
    const cases: Array<[unknown, string]> = [
      [{ model: 'nobody/nothing', input: { prompt: 'p' } }, 'The page does not exist or is not published'],
      [{ input: { prompt: 'p' } }, 'The page does not exist or is not published'],
      [{ model: 'toString', input: { prompt: 'p' } }, 'The page does not exist or is not published'],
      [{ model: 'google/nano-banana' }, 'input is required'],
      [{ model: 'google/nano-banana', input: ['p'] }, 'input is required'],
      [
        { model: 'google/nano-banana', input: { prompt: 'p' }, callBackUrl: 'not a url' },
        'callBackUrl must be an http(s) URL',
      ],
      [
        { model: 'sora-2-image-to-video', input: VALID['sora-2-image-to-video'], progressCallBackUrl: 'x' },
        'progressCallBackUrl must be an http(s) URL',
      ],
    ];
    for (const [body, msg] of cases)
      assert.deepEqual(await createTask(s, body), { code: 422, msg, data: null });
  });
});
