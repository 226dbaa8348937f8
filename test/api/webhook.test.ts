/**
 * POST /webhooks/kie/:jobId?token=… against a real running job (docs/kie-api.md#callbacks, docs/kie-api.md#callback-verification): the per-job
 * token and KIE's signature are both checked, malformed bodies are refused, unknown jobs are
 * acknowledged, and a valid callback wakes the workflow at once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { jobCallbackToken, signKieCallback } from '../../src/kie/webhook-auth.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { assertProblem, call, client, createJob, waitForJob } from '../support/api-client.js';

/** The stack keeps generated secrets under DATA_DIR/secrets (src/runtime/secrets.ts). */
const secret = (stack: TestStack, name: string) =>
  readFileSync(path.join(stack.config.dataDir, 'secrets', name), 'utf8').trim();

const nowSec = () => Math.floor(Date.now() / 1000);
const callbackBody = (taskId: string) => ({
  code: 200,
  msg: 'Veo3.1 video generated successfully.',
  data: {
    taskId,
    info: { resultUrls: ['https://example.com/v.mp4'], resolution: '720p' },
    fallbackFlag: false,
  },
});

describe('webhook: POST /webhooks/kie/:jobId', () => {
  it('checks token, signature, replay window and body; a valid callback completes the job', async (t) => {
    // KIE's own callback is dropped and the first poll is far away: only our callback can complete the job.
    const stack = await startTestStack(t, {
      sim: { faults: { callback: 'drop' } },
      timing: { firstPollAfterMs: 25_000, generationDeadlineMs: 40_000 },
    });
    const webhookSecret = secret(stack, 'webhook-secret');
    const hmacKey = secret(stack, 'sim-hmac-key');
    const api = client(stack, (await stack.user(1000)).apiKey);

    const job = await createJob(api, { model: 'veo3_lite' });
    const { kieTaskId } = await waitForJob(
      api,
      job.id,
      (j) => !!j.kieTaskId && stack.simulator!.task(j.kieTaskId)?.state === 'succeeded',
    );
    const taskId = kieTaskId!;

    /** POSTs a callback; by default with the right token and a fresh, valid signature. */
    const post = (
      opts: { jobId?: string; token?: string | null; body?: unknown; ts?: number; sig?: string } = {},
    ) => {
      const jobId = opts.jobId ?? job.id;
      const token = opts.token === undefined ? jobCallbackToken(webhookSecret, jobId) : opts.token;
      const ts = opts.ts ?? nowSec();
      const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
      return call(stack.apiUrl!, 'POST', `/webhooks/kie/${jobId}${query}`, {
        body: opts.body ?? callbackBody(taskId),
        headers: {
          'x-webhook-timestamp': String(ts),
          'x-webhook-signature': opts.sig ?? signKieCallback(hmacKey, taskId, ts),
        },
      });
    };

    await t.test('the URL KIE was given carries the token derived from WEBHOOK_SECRET', () => {
      const url = new URL(stack.simulator!.task(taskId)!.callbackUrl!);
      assert.equal(url.pathname, `/webhooks/kie/${job.id}`);
      assert.equal(url.searchParams.get('token'), jobCallbackToken(webhookSecret, job.id));
    });

    await t.test('bad or missing token → 401', async () => {
      assertProblem(await post({ token: null }), 401);
      assertProblem(await post({ token: 'not-the-token' }), 401);
      assertProblem(await post({ token: jobCallbackToken(webhookSecret, 'job_other') }), 401);
      assertProblem(await post({ token: jobCallbackToken('another-secret', job.id) }), 401);
    });

    await t.test('tampered, foreign-key or missing signature → 401', async () => {
      const ts = nowSec();
      const good = signKieCallback(hmacKey, taskId, ts);
      const flipped = (good[0] === 'A' ? 'B' : 'A') + good.slice(1);
      assertProblem(await post({ ts, sig: flipped }), 401);
      assertProblem(await post({ ts, sig: signKieCallback('another-key', taskId, ts) }), 401);
      assertProblem(await post({ ts, sig: signKieCallback(hmacKey, 'veo_task_other', ts) }), 401);
      assertProblem(await post({ ts: ts + 1, sig: good }), 401);
      const unsigned = await call(
        stack.apiUrl!,
        'POST',
        `/webhooks/kie/${job.id}?token=${jobCallbackToken(webhookSecret, job.id)}`,
        {
          body: callbackBody(taskId),
        },
      );
      assertProblem(unsigned, 401);
    });

    await t.test('timestamp outside the replay window → 401', async () => {
      assertProblem(await post({ ts: nowSec() - 3600 }), 401);
      assertProblem(await post({ ts: nowSec() - 301 }), 401);
      // The server reads its clock later than the test, maybe a second later: a future stamp needs a
      // margin, or +301 could land inside the ±300 s window (it did, in a CI run).
      assertProblem(await post({ ts: nowSec() + 330 }), 401);
    });

    await t.test('malformed body → 400; oversized → 413', async () => {
      assertProblem(await post({ body: '{"code": 200, "data": {' }), 400);
      assertProblem(await post({ body: { code: 200, msg: 'no task id', data: {} } }), 400);
      assertProblem(await post({ body: [1, 2] }), 400);
      assertProblem(await post({ body: { ...callbackBody(taskId), pad: 'x'.repeat(70_000) } }), 413);
    });

    await t.test('unknown job id with a valid token for it → 200', async () => {
      const reply = await post({ jobId: 'job_00000000000000000000000000000000' });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.deepEqual(reply.body, { code: 200, msg: 'success' });
    });

    await t.test('none of the refused callbacks woke the job', async () => {
      const r = await api('GET', `/v1/videos/${job.id}`);
      assert.equal((r.body as { state: string }).state, 'generating');
    });

    await t.test('a valid signed callback → 200 at once, and the job completes through it', async () => {
      const reply = await post();
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.deepEqual(reply.body, { code: 200, msg: 'success' });
      assert.ok(reply.ms < 1000, `acknowledged in ${Math.round(reply.ms)} ms`);
      const done = await waitForJob(api, job.id, (j) => j.state === 'succeeded');
      assert.equal(done.detection?.channel, 'callback');
    });

    await stack.assertInvariants();
  });
});
