/**
 * The seed application's routes (docs/architecture.md#http-api): POST /api/generate/video, GET /api/jobs/:jobId and
 * GET /api/jobs/veo/:taskId/1080p, against the whole running system. Seed field names map onto real
 * jobs, bad seed fields are named as sent, users see only their own jobs, and the 1080p route gives
 * a final answer for every job that will never have a 1080p (the seed's front end polls it until then).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SimFaults } from '../../src/kie-sim/index.js';
import type { VideoRequest } from '../../src/domain/index.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import {
  assertNothingChanged,
  assertProblem,
  call,
  client,
  credits,
  isFinal,
  VALID_BODY,
  waitForJob,
  type Client,
  type Reply,
} from '../support/api-client.js';

interface SeedJob {
  success: boolean;
  jobId: string;
  taskId: string | null;
  status: string;
  videoUrl: string | null;
  video1080pUrl: string | null;
  error: string | null;
}

/** [case, seed body fields over a valid body, the field the 422 must name]. */
const INVALID: Array<[string, Record<string, unknown>, string]> = [
  ['seeds: too small', { seeds: 5 }, 'seeds'],
  ['seeds: a string', { seeds: '12345' }, 'seeds'],
  ['aspectRatio: 1:1', { aspectRatio: '1:1' }, 'aspectRatio'],
  ['aspect_ratio: 1:1', { aspect_ratio: '1:1' }, 'aspect_ratio'],
  ['prompt: missing', { prompt: undefined }, 'prompt'],
  ['model: unknown', { model: 'veo4' }, 'model'],
  ['hd: a string', { hd: 'yes' }, 'hd'],
  [
    'imageUrls: 1 for TEXT_2_VIDEO',
    { generationType: 'TEXT_2_VIDEO', imageUrls: ['https://i.example/a.png'] },
    'imageUrls',
  ],
];

async function generate(api: Client, body: Record<string, unknown>): Promise<SeedJob> {
  const r = await api('POST', '/api/generate/video', { body: { ...VALID_BODY, ...body } });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  return r.body as SeedJob;
}

const hd1080 = (api: Client, taskId: string) => api('GET', `/api/jobs/veo/${taskId}/1080p`);

/** Creates a seed job under these simulator faults and waits until KIE has its task. */
async function seedJobWithTask(
  stack: TestStack,
  api: Client,
  body: Record<string, unknown>,
  faults: SimFaults = {},
) {
  stack.simulator!.setFaults(faults);
  const job = await generate(api, { model: 'veo3_lite', ...body });
  const { kieTaskId } = await waitForJob(api, job.jobId, (j) => j.kieTaskId !== null);
  return { jobId: job.jobId, taskId: kieTaskId! };
}

/** Asserts the 1080p route's final answer for a job that will never have a 1080p. */
function assertNo1080p(reply: Reply, status: 404 | 409, detail: RegExp) {
  const problem = assertProblem(reply, status);
  assert.match(problem.detail ?? '', detail, JSON.stringify(problem));
}

describe('seed-application compatibility routes', () => {
  it('create, status, isolation and the 1080p route against the running system', async (t) => {
    // A 1080p that becomes ready 1.5 s after the video, inside a 3 s window: long enough to see a 202.
    const stack = await startTestStack(t, {
      sim: { hd1080DelayMs: 1_500 },
      timing: { hdWindowMs: 3_000 },
    });
    const owner = await stack.user(1000);
    const api = client(stack, owner.apiKey);

    await t.test(
      'a seed-shaped request creates the mapped job; 1080p is 202, then 200 with its URL',
      async () => {
        const created = await generate(api, {
          model: 'veo3_lite',
          aspectRatio: '9:16',
          seeds: 23456,
          watermark: 'MyBrand',
          enableTranslation: false,
          hd: true,
          enhancePrompt: true,
        });
        assert.equal(created.success, true);
        assert.match(created.jobId, /^job_/);
        assert.deepEqual((await stack.ledger.getJob(created.jobId))?.request, {
          prompt: VALID_BODY.prompt,
          model: 'veo3_lite',
          generationType: 'TEXT_2_VIDEO',
          imageUrls: [],
          aspectRatio: '9:16',
          seed: 23456,
          watermark: 'MyBrand',
          enableTranslation: false,
          hd: true,
        });

        const { kieTaskId } = await waitForJob(api, created.jobId, (j) => j.kieTaskId !== null);
        const taskId = kieTaskId!;
        const kieTask = stack.simulator!.task(taskId)!;
        assert.equal(kieTask.request.aspectRatio, '9:16');
        assert.equal(kieTask.request.seeds, 23456);
        assert.ok(!('enhancePrompt' in kieTask.rawRequest), JSON.stringify(kieTask.rawRequest));

        const processing = await hd1080(api, taskId);
        assert.equal(processing.status, 202, JSON.stringify(processing.body));
        assert.equal((processing.body as SeedJob).video1080pUrl, null);

        const ready = await waitFor(
          'the archived 1080p',
          async () => {
            const r = await hd1080(api, taskId);
            assert.ok(r.status === 200 || r.status === 202, JSON.stringify(r.body));
            return r.status === 200 ? (r.body as SeedJob) : undefined;
          },
          20_000,
        );
        assert.equal(ready.taskId, taskId);
        const file = await api('GET', ready.video1080pUrl!);
        assert.equal(file.status, 200);
        assert.equal(file.contentType, 'video/mp4');

        await waitForJob(api, created.jobId, isFinal);
        const status = await api('GET', `/api/jobs/${created.jobId}`);
        assert.equal(status.status, 200, JSON.stringify(status.body));
        const { videoUrl, video1080pUrl, ...rest } = status.body as SeedJob;
        assert.deepEqual(rest, {
          success: true,
          jobId: created.jobId,
          taskId,
          status: 'completed',
          state: 'succeeded',
          outputs: [videoUrl, video1080pUrl],
          result_urls: [videoUrl, video1080pUrl],
          error: null,
          completed_at: (await stack.ledger.getJob(created.jobId))!.finishedAt!.toISOString(),
        });
        // Signed links: playable with no header.
        for (const [url, variant] of [
          [videoUrl, 'original'],
          [video1080pUrl, '1080p'],
        ] as const) {
          assert.match(
            url ?? '',
            new RegExp(`^/v1/videos/${created.jobId}/content\\?variant=${variant}&expires=\\d+&sig=`),
          );
          assert.equal((await call(stack.apiUrl!, 'GET', url!)).status, 200);
        }
        await stack.assertInvariants();
      },
    );

    await t.test(
      'an invalid seed field or Idempotency-Key → 422 naming it as sent; nothing held',
      async () => {
        const fresh = client(stack, (await stack.user(1000)).apiKey);
        const before = await credits(fresh);
        for (const [name, fields, field] of INVALID) {
          const reply = await fresh('POST', '/api/generate/video', { body: { ...VALID_BODY, ...fields } });
          assertProblem(reply, 422, field);
          assert.match((reply.body as { detail: string }).detail, new RegExp(field), name);
          await assertNothingChanged(stack, fresh, before);
        }
        const headers = { 'idempotency-key': 'k'.repeat(201) };
        const longKey = await fresh('POST', '/api/generate/video', { headers, body: VALID_BODY });
        assertProblem(longKey, 422, 'Idempotency-Key');
        await assertNothingChanged(stack, fresh, before);
      },
    );

    await t.test("another user's job or task, and a missing one, are 404", async () => {
      const [job] = (await stack.ledger.listJobs(owner.id, { limit: 1 })).jobs;
      const other = client(stack, (await stack.user(1000)).apiKey);
      assertProblem(await other('GET', `/api/jobs/${job!.id}`), 404);
      assertProblem(await hd1080(other, job!.kieTaskId!), 404);
      assertProblem(await api('GET', '/api/jobs/job_doesnotexist'), 404);
      assertProblem(await hd1080(api, 'veo_task_doesnotexist'), 404);
    });

    await t.test('no 1080p asked, 9:16 → 404 naming why at once, and once it succeeded', async () => {
      const { jobId, taskId } = await seedJobWithTask(stack, api, { hd: false, aspectRatio: '9:16' });
      const why = /9:16; a 1080p is made on demand for 16:9 videos only/;
      assertNo1080p(await hd1080(api, taskId), 404, why);
      await waitForJob(api, jobId, (j) => j.state === 'succeeded');
      assertNo1080p(await hd1080(api, taskId), 404, why);
    });

    await t.test('no 1080p asked, 16:9, still running → 202 with the video status', async () => {
      const { jobId, taskId } = await seedJobWithTask(stack, api, { hd: false }, { hd1080: 'refused' });
      const waiting = await hd1080(api, taskId);
      if (waiting.status === 202) {
        assert.equal((waiting.body as SeedJob).video1080pUrl, null);
        assert.match((waiting.body as SeedJob).status, /^(pending|processing)$/);
      }
      await waitForJob(api, jobId, (j) => j.state === 'succeeded');
      await waitFor(
        'the on-demand 1080p refused by KIE',
        async () => {
          const r = await hd1080(api, taskId);
          return r.status === 202 ? undefined : r;
        },
        20_000,
      ).then((r) => assertNo1080p(r, 404, /unavailable/));
    });

    await t.test('aspect_ratio Auto (KIE makes no 1080p) → 404', async () => {
      const { jobId, taskId } = await seedJobWithTask(stack, api, { hd: true, aspect_ratio: 'Auto' });
      assert.equal(((await stack.ledger.getJob(jobId))?.request as VideoRequest).aspectRatio, 'Auto');
      await waitForJob(api, jobId, (j) => j.state === 'succeeded');
      assertNo1080p(await hd1080(api, taskId), 404, /no 1080p version of this video/);
    });

    for (const mode of ['refused', 'never'] as const) {
      await t.test(`1080p ${mode} by KIE: the job succeeds with the original; 1080p → 404`, async () => {
        const { jobId, taskId } = await seedJobWithTask(stack, api, { hd: true }, { hd1080: mode });
        await waitForJob(api, jobId, (j) => j.state === 'succeeded');
        assertNo1080p(await hd1080(api, taskId), 404, /1080p version is unavailable/);
        const status = (await api('GET', `/api/jobs/${jobId}`)).body as SeedJob;
        assert.equal(status.success, true);
        assert.ok(status.videoUrl);
        assert.equal(status.video1080pUrl, null);
      });
    }

    await t.test('the job failed → 409 naming the failure', async () => {
      const outcome = { successFlag: 2, errorCode: 400, errorMessage: 'prompt blocked by policy' } as const;
      const { jobId, taskId } = await seedJobWithTask(stack, api, { hd: true }, { outcome });
      await waitForJob(api, jobId, (j) => j.state === 'failed');
      assertNo1080p(await hd1080(api, taskId), 409, /ended failed: .*prompt blocked by policy/);
      const status = (await api('GET', `/api/jobs/${jobId}`)).body as SeedJob;
      assert.equal(status.success, false);
      assert.equal(status.status, 'failed');
      assert.match(status.error ?? '', /prompt blocked by policy/);
    });

    await t.test('/openapi.json documents every answer of the 1080p route', async () => {
      const doc = (await call(stack.apiUrl!, 'GET', '/openapi.json')).body as {
        paths: Record<string, { get: { responses: Record<string, { content?: object }> } }>;
      };
      const { responses } = doc.paths['/api/jobs/veo/{taskId}/1080p']!.get;
      assert.deepEqual(Object.keys(responses).sort(), ['200', '202', '402', '404', '409', '429', '503']);
      for (const status of ['402', '404', '409', '429', '503']) {
        const content = responses[status]?.content ?? {};
        assert.ok('application/problem+json' in content, `${status}: ${JSON.stringify(content)}`);
      }
    });

    stack.simulator!.setFaults({});
    await stack.assertInvariants();
  });
});
