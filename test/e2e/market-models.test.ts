/**
 * KIE's Market models through the product, over HTTP: the catalogue with config prices; every model ×
 * mode from POST to archived files (several images per image task, each checked by its signature and
 * hash, served with its content type and ranges); a KIE failure and a cancel release the hold; bad
 * input is refused with nothing held; KIE's credits are recorded per job and reported per model.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { kieCreditsOf } from '../../src/services/pricing.js';
import { startTestStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack.js';
import {
  assertNothingChanged,
  assertProblem,
  client,
  credits,
  isFinal,
  waitForJob,
} from '../support/api-client.js';

/** Each image task of this stack returns this many images. */
const IMAGES_PER_TASK = 3;

interface File {
  variant: string;
  contentType: string;
  size: number;
  sha256: string;
  url: string;
  path: string;
}
interface Job {
  id: string;
  state: string;
  model: string;
  kind: string;
  mode: string;
  price: number;
  charged: number | null;
  kieTaskId: string | null;
  detection: { channel: string } | null;
  files: File[];
  error: { source: string; code: string } | null;
}

const SIGNATURES: Record<string, (b: Buffer) => boolean> = {
  'image/png': (b) => b.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/webp': (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP',
  'video/mp4': (b) => b.toString('latin1', 4, 8) === 'ftyp',
};

const IMAGE = 'https://example.com/first-frame.png';

const CASES = [
  {
    path: '/v1/images',
    body: { model: 'nano-banana', prompt: 'A lighthouse at dawn', options: { outputFormat: 'jpeg' } },
    mode: 'text-to-image',
    type: 'image/jpeg',
  },
  {
    path: '/v1/images',
    body: { model: 'nano-banana', prompt: 'Make it snow', imageUrls: [IMAGE, IMAGE] },
    mode: 'image-to-image',
    type: 'image/png',
  },
  {
    path: '/v1/images',
    body: { model: 'imagen4', prompt: 'A paper boat', options: { aspectRatio: '16:9', seed: 7 } },
    mode: 'text-to-image',
    type: 'image/png',
  },
  {
    path: '/v1/videos',
    body: { model: 'kling-2.6', prompt: 'A kite over hills', options: { duration: '10', sound: true } },
    mode: 'text-to-video',
    type: 'video/mp4',
  },
  {
    path: '/v1/videos',
    body: { model: 'kling-2.6', prompt: 'The frame comes alive', imageUrls: [IMAGE] },
    mode: 'image-to-video',
    type: 'video/mp4',
  },
  {
    path: '/v1/videos',
    body: { model: 'sora-2', prompt: 'Waves roll in', imageUrls: [IMAGE], options: { nFrames: '15' } },
    mode: 'image-to-video',
    type: 'video/mp4',
  },
] as const;

describe('Market models', () => {
  it('catalogue, every model × mode end to end, failure and cancel released, bad input refused, spend', async (t) => {
    const stack = await startTestStack(t, {
      sim: {
        marketImageCount: IMAGES_PER_TASK,
        // Long enough to cancel one while KIE works on it.
        durationsMs: { market: 300, 'sora-2-image-to-video': 300, 'kling-2.6/image-to-video': 300 },
      },
    });
    const user = await stack.user(100_000);
    const api = client(stack, user.apiKey);

    await t.test('GET /v1/models: every model, its kind, modes, inputs and config price', async () => {
      const r = await api('GET', '/v1/models', { key: null });
      assert.equal(r.status, 200);
      const models = (r.body as { models: Array<Record<string, unknown>> }).models;
      const byId = new Map(models.map((m) => [m.id, m]));
      for (const id of ['veo3', 'veo3_fast', 'veo3_lite', 'nano-banana', 'imagen4', 'kling-2.6', 'sora-2'])
        assert.ok(byId.has(id), `${id} listed`);
      const prices = stack.config.prices;
      assert.equal(byId.get('kling-2.6')?.price, prices['kling-2.6']);
      assert.equal(byId.get('nano-banana')?.endpoint, '/v1/images');
      assert.deepEqual(
        (byId.get('nano-banana')?.modes as Array<{ mode: string }>).map((m) => m.mode),
        ['text-to-image', 'image-to-image'],
      );
      const sora = byId.get('sora-2') as { options: Array<{ name: string; values?: string[] }> };
      assert.deepEqual(sora.options.find((o) => o.name === 'nFrames')?.values, ['10', '15']);
    });

    for (const c of CASES) {
      await t.test(`${c.body.model} ${c.mode}: archived, served, charged once`, async () => {
        const before = await credits(api);
        const r = await api('POST', c.path, { body: c.body });
        assert.equal(r.status, 202, JSON.stringify(r.body));
        const created = r.body as Job;
        assert.equal(created.mode, c.mode);
        assert.equal(created.kind, c.type.startsWith('image') ? 'image' : 'video');
        const done = (await waitForJob(
          api,
          created.id,
          (j) => j.state === 'succeeded' || j.state === 'failed',
        )) as unknown as Job;
        assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
        assert.equal(done.detection?.channel, 'callback', "KIE's Market callback woke the job");
        const count = c.type.startsWith('image') ? IMAGES_PER_TASK : 1;
        assert.deepEqual(
          done.files.map((f) => f.variant),
          ['original', 'original-2', 'original-3'].slice(0, count),
        );
        for (const f of done.files) await assertServed(stack, user.apiKey, done, f, c.type);
        assert.equal(done.charged, done.price, 'the whole price captured');
        const after = await credits(api);
        assert.equal(after.balance, before.balance - done.price);
        assert.equal(after.held, 0);
        const record = await stack.ledger.getJob(done.id);
        assert.equal(record?.kieCredits, kieCreditsOf(stack.config.prices, record!.request));
      });
    }

    await t.test('the price scales with the options: Kling 10 s with sound is 4× the 5 s price', async () => {
      const r = await api('POST', '/v1/videos', {
        body: { model: 'kling-2.6', prompt: 'Price check', options: { duration: '10', sound: true } },
        headers: { 'idempotency-key': 'kling-price' },
      });
      assert.equal((r.body as Job).price, 4 * stack.config.prices['kling-2.6']);
      const again = await api('POST', '/v1/videos', {
        body: { model: 'kling-2.6', prompt: 'Price check', options: { duration: '10', sound: true } },
        headers: { 'idempotency-key': 'kling-price' },
      });
      assert.equal((again.body as Job).id, (r.body as Job).id, 'Idempotency-Key: the same job');
      await waitForJob(api, (r.body as Job).id, (j) => j.state === 'succeeded');
    });

    for (const c of CASES) {
      await t.test(`${c.body.model} ${c.mode}: KIE fails the task → failed, released, no files`, async () => {
        stack.simulator!.setFaults({
          outcome: { successFlag: 2, errorCode: 500, errorMessage: 'Internal error' },
        });
        t.after(() => stack.simulator!.setFaults({}));
        const before = await credits(api);
        const r = await api('POST', c.path, { body: c.body });
        assert.equal(r.status, 202, JSON.stringify(r.body));
        const job = (await waitForJob(api, (r.body as Job).id, isFinal)) as unknown as Job;
        stack.simulator!.setFaults({});
        assert.equal(job.state, 'failed');
        assert.equal(job.error?.source, 'kie');
        assert.equal(job.charged, null);
        assert.deepEqual(job.files, []);
        const after = await credits(api);
        assert.equal(after.balance, before.balance, 'nothing kept');
        assert.equal(after.held, 0);
      });

      await t.test(
        `${c.body.model} ${c.mode}: cancel while KIE works → canceled, the policy's charge, no files`,
        async () => {
          // No callback: the job waits for its first poll (seconds away), KIE's task long done.
          stack.simulator!.setFaults({ callback: 'drop' });
          t.after(() => stack.simulator!.setFaults({}));
          const before = await credits(api);
          const r = await api('POST', c.path, { body: c.body });
          const id = (r.body as Job).id;
          await waitForJob(api, id, (j) => j.state === 'generating');
          assert.equal((await api('POST', `/v1/videos/${id}/cancel`)).status, 202);
          const job = (await waitForJob(api, id, isFinal)) as unknown as Job;
          stack.simulator!.setFaults({});
          assert.equal(job.state, 'canceled');
          // CANCEL_AFTER_SUBMIT=charge-model: KIE took the task, so the model's price is kept.
          assert.equal(job.charged, job.price);
          assert.deepEqual(job.files, []);
          const after = await credits(api);
          assert.equal(after.balance, before.balance - job.price);
          assert.equal(after.held, 0);
        },
      );
    }

    await t.test('bad input: a clear 422 naming the field, nothing held', async () => {
      const other = await stack.user(1000);
      const otherApi = client(stack, other.apiKey);
      const before = await credits(otherApi);
      const refused: Array<[string, unknown, string]> = [
        ['/v1/images', { model: 'kling-2.6', prompt: 'x' }, 'model'],
        [
          '/v1/images',
          { model: 'nano-banana', prompt: 'x', options: { outputFormat: 'gif' } },
          'options.outputFormat',
        ],
        ['/v1/images', { model: 'nano-banana', prompt: 'x', options: { colour: 'red' } }, 'options.colour'],
        ['/v1/images', { model: 'imagen4', prompt: 'x', imageUrls: [IMAGE] }, 'imageUrls'],
        ['/v1/images', { model: 'imagen4', prompt: 'x', options: { seed: -1 } }, 'options.seed'],
        ['/v1/videos', { model: 'sora-2', prompt: 'x' }, 'imageUrls'],
        ['/v1/videos', { model: 'sora-2', prompt: 'x'.repeat(10_001), imageUrls: [IMAGE] }, 'prompt'],
        [
          '/v1/videos',
          { model: 'kling-2.6', prompt: 'x', imageUrls: [IMAGE], options: { aspectRatio: '1:1' } },
          'options.aspectRatio',
        ],
        ['/v1/videos', { model: 'kling-2.6', prompt: 'x', options: { duration: 5 } }, 'options.duration'],
        ['/v1/videos', { model: 'nano-banana', prompt: 'x' }, 'model'],
      ];
      for (const [path, body, field] of refused)
        assertProblem(await otherApi('POST', path, { body }), 422, field);
      await assertNothingChanged(stack, otherApi, before);
    });

    await t.test('GET /admin/spend: per model, charged vs KIE credits', async () => {
      const admin = client(stack, TEST_ADMIN_KEY);
      const r = await admin('GET', '/admin/spend');
      assert.equal(r.status, 200);
      const models = (
        r.body as { models: Array<{ model: string; charged: number; kieCredits: number; succeeded: number }> }
      ).models;
      const kling = models.find((m) => m.model === 'kling-2.6')!;
      assert.equal(kling.succeeded, 3);
      // Succeeded: 10 s + sound twice (×4 each), 5 s once; canceled after KIE took them (charged under
      // charge-model, and KIE made them): one of each; failed at KIE (refunded by KIE too): nothing.
      const units = 4 + 4 + 1 + (4 + 1);
      assert.equal(kling.kieCredits, units * stack.config.prices.kie['kling-2.6']);
      assert.equal(kling.charged, units * stack.config.prices['kling-2.6']);
    });

    await stack.assertInvariants();
  });
});

/** The file downloads (whole and by range) with its type, its signature and its recorded hash. */
async function assertServed(
  stack: TestStack,
  apiKey: string,
  job: Job,
  f: File,
  type: string,
): Promise<void> {
  assert.equal(f.contentType, type);
  const keyed = await fetch(new URL(f.path, stack.apiUrl!), {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  assert.equal(keyed.status, 200);
  assert.equal(keyed.headers.get('content-type'), type);
  await keyed.body?.cancel();
  // The signed link plays with no header at all.
  const signed = await fetch(new URL(f.url, stack.apiUrl!));
  assert.equal(signed.status, 200, `${job.id} ${f.variant}`);
  assert.equal(signed.headers.get('content-type'), type);
  const bytes = Buffer.from(await signed.arrayBuffer());
  assert.equal(bytes.length, f.size);
  assert.equal(createHash('sha256').update(bytes).digest('hex'), f.sha256);
  assert.ok(SIGNATURES[type]!(bytes), `${f.variant} starts like a ${type}`);
  const part = await fetch(new URL(f.url, stack.apiUrl!), { headers: { range: 'bytes=0-7' } });
  assert.equal(part.status, 206);
  assert.equal(Buffer.from(await part.arrayBuffer()).length, 8);
}
