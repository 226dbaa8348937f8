/**
 * Customers' webhooks end to end (docs/operations.md#customer-webhooks): a job's end is POSTed to
 * its webhookUrl or its user's default, signed as Standard Webhooks do, by a workflow of its own that
 * retries and never holds the job up. The receiver is a real HTTP server on loopback that verifies
 * every signature with its own code and records each delivery.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { JobEventSchema, type JobEvent, type JobView } from '../../src/domain/index.js';
import { notifyWorkflowId, videoWorkflowId } from '../../src/workflows/job-types.js';
import { workflowType } from '../../src/workflows/refs.js';
import { client, createJob } from '../support/api-client.js';
import { captureLogs, searchableHistory } from '../support/captured-logs.js';
import {
  maybeRecordWorkflowHistory,
  startTestStack,
  STACK_SIM,
  TEST_ADMIN_KEY,
  type TestStack,
} from '../support/stack.js';
import { ALL_PATCHES_MARKER } from '../../src/workflows/generate-video.js';
import { patchMarkerIds } from '../support/history.js';
import { waitFor } from '../support/wait-for.js';
import { startWebhookReceiver, type Delivery } from '../support/webhook-receiver.js';

const notified = (stack: TestStack, jobId: string) =>
  stack.temporal.client.workflow.getHandle(notifyWorkflowId(jobId)).result();

const event = (d: Delivery) => JobEventSchema.parse(d.body);

describe("customers' webhooks", () => {
  it("POSTs each job's end once, signed, retried, never holding the job up", async (t) => {
    const { lines, logger } = captureLogs('debug');
    const stack = await startTestStack(t, {
      env: { CUSTOMER_WEBHOOK_TARGETS: 'loopback', LOG_LEVEL: 'debug' },
      logger,
      // veo3 slow enough to cancel while it generates; the others as usual.
      sim: { durationsMs: { ...STACK_SIM.durationsMs!, veo3: 20_000 } },
    });
    const receiver = await startWebhookReceiver(t);
    const admin = client(stack, TEST_ADMIN_KEY);
    const created = await admin('POST', '/admin/users', { body: { name: 'hooked', credits: 5_000 } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const user = created.body as { id: string; apiKey: string };
    const api = client(stack, user.apiKey);
    const made = await admin('POST', `/admin/users/${user.id}/webhook/secret`);
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const { secret } = made.body as { secret: string };
    receiver.trust(secret);

    await t.test('a job with a webhookUrl: one verified delivery of its final view', async () => {
      const job = await createJob(api, { webhookUrl: `${receiver.url}/jobs?src=veo` });
      assert.equal((await stack.wait(job.id)).state, 'succeeded');
      assert.deepEqual(await notified(stack, job.id), { outcome: 'delivered', status: 200 });
      // The notification is taken under the job's one patch marker, without one of its own.
      const { events } = await stack.temporal.client.workflow
        .getHandle(videoWorkflowId(job.id))
        .fetchHistory();
      assert.deepEqual(patchMarkerIds(events), [ALL_PATCHES_MARKER]);
      const deliveries = receiver.forJob(job.id);
      assert.equal(deliveries.length, 1, 'one delivery');
      const [d] = deliveries as [Delivery];
      assert.ok(d.verified, 'signature verified');
      assert.equal(d.path, '/jobs?src=veo');
      assert.equal(d.headers.id, notifyWorkflowId(job.id));
      const view = (await api('GET', `/v1/videos/${job.id}`)).body as JobView;
      const e: JobEvent = event(d);
      assert.equal(e.type, 'video.succeeded');
      assert.equal(e.timestamp, view.finishedAt);
      // The view as GET shows it, less the expiring links; each file keeps its stable path.
      assert.deepEqual(e.data, { ...view, files: view.files.map(({ url: _u, expiresAt: _e, ...f }) => f) });
      assert.equal(e.data.files[0]?.path, `/v1/videos/${job.id}/content?variant=original`);
      await maybeRecordWorkflowHistory(
        stack,
        notifyWorkflowId(job.id),
        `notify_delivered-${job.id.slice(4, 14)}`,
      );
    });

    await t.test('a failing receiver: retried, the job not held up, delivered once', async () => {
      receiver.script('/flaky', [], 503);
      const job = await createJob(api, { webhookUrl: `${receiver.url}/flaky` });
      // The job ends while its customer's endpoint refuses every try.
      assert.equal((await stack.wait(job.id)).state, 'succeeded');
      await waitFor('a refused try', async () => (receiver.forJob(job.id).length ? true : undefined), 20_000);
      assert.ok(receiver.forJob(job.id).every((d) => d.status === 503));
      receiver.script('/flaky', [], 200);
      assert.deepEqual(await notified(stack, job.id), { outcome: 'delivered', status: 200 });
      const deliveries = receiver.forJob(job.id);
      assert.ok(deliveries.length >= 2, 'retried');
      assert.deepEqual(
        deliveries.map((d) => d.status),
        [...deliveries.slice(0, -1).map(() => 503), 200],
        'accepted once, last',
      );
      assert.ok(deliveries.every((d) => d.verified && d.headers.id === notifyWorkflowId(job.id)));
      assert.equal(new Set(deliveries.map((d) => d.raw)).size, 1, 'the same body every try');
    });

    await t.test("the user's default URL, for jobs created without one (the seed route's too)", async () => {
      const set = await admin('PUT', `/admin/users/${user.id}/webhook`, {
        body: { url: `${receiver.url}/default` },
      });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.equal((set.body as { secret?: string }).secret, undefined, 'the secret already existed');
      const seed = await api('POST', '/api/generate/video', {
        body: { prompt: 'A lighthouse in a storm', model: 'veo-3.1-fast' },
      });
      assert.equal(seed.status, 202, JSON.stringify(seed.body));
      const { jobId } = seed.body as { jobId: string };
      await stack.wait(jobId);
      assert.deepEqual(await notified(stack, jobId), { outcome: 'delivered', status: 200 });
      const deliveries = receiver.forJob(jobId);
      assert.deepEqual(
        deliveries.map((d) => [d.path, d.verified]),
        [['/default', true]],
      );
    });

    await t.test('a repeated request and a second trigger: one delivery, one webhook-id', async () => {
      const body = { prompt: 'Two foxes', webhookUrl: `${receiver.url}/twice` };
      const headers = { 'idempotency-key': 'twice-1' };
      const first = await api('POST', '/v1/videos', { body, headers });
      const again = await api('POST', '/v1/videos', { body, headers });
      assert.equal(first.status, 202);
      const jobId = (first.body as { id: string }).id;
      assert.equal((again.body as { id: string }).id, jobId);
      // The same key with another URL is another request.
      const other = await api('POST', '/v1/videos', {
        body: { ...body, webhookUrl: `${receiver.url}/x` },
        headers,
      });
      assert.equal(other.status, 409);
      await stack.wait(jobId);
      await notified(stack, jobId);
      await assert.rejects(
        stack.temporal.client.workflow.start(workflowType('notifyCustomer'), {
          workflowId: notifyWorkflowId(jobId),
          taskQueue: stack.taskQueue,
          args: [{ jobId }],
          workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        }),
        WorkflowExecutionAlreadyStartedError,
      );
      const deliveries = receiver.forJob(jobId);
      assert.equal(deliveries.length, 1);
      assert.equal(deliveries[0]!.headers.id, notifyWorkflowId(jobId));
    });

    await t.test('a canceled job is an end too', async () => {
      const job = await createJob(api, { model: 'veo3', webhookUrl: `${receiver.url}/jobs` });
      assert.equal((await api('POST', `/v1/videos/${job.id}/cancel`)).status, 202);
      assert.equal((await stack.wait(job.id)).state, 'canceled');
      await notified(stack, job.id);
      const [d, ...more] = receiver.forJob(job.id);
      assert.equal(more.length, 0);
      const e = event(d!);
      assert.equal(e.type, 'video.canceled');
      assert.equal(e.data.error?.source, 'canceled');
      assert.ok(d!.verified);
    });

    await t.test('a 4xx other than 408/429 is final: one try, the notification fails', async () => {
      receiver.script('/gone', [], 410);
      const job = await createJob(api, { webhookUrl: `${receiver.url}/gone` });
      assert.equal((await stack.wait(job.id)).state, 'succeeded');
      await assert.rejects(notified(stack, job.id), WorkflowFailedError);
      assert.deepEqual(
        receiver.forJob(job.id).map((d) => d.status),
        [410],
      );
    });

    await t.test('the secret: in no log, no workflow history, not in clear in the database', async () => {
      const logs = lines.join('');
      assert.match(logs, /job event delivered/);
      assert.ok(!logs.includes(secret.slice(6)), 'the secret appears in the logs');
      const jobId = receiver.deliveries[0]!.headers.id!.replace(/^notify-/, '');
      for (const id of [notifyWorkflowId(jobId), videoWorkflowId(jobId)]) {
        const history = await searchableHistory(stack, id);
        assert.ok(history.includes(jobId), 'payloads decoded');
        assert.ok(!history.includes(secret.slice(6)), `the secret appears in ${id}'s history`);
      }
      const [row] = await stack.db.query<Record<string, unknown>>('select * from users where id = $1', [
        user.id,
      ]);
      assert.ok(!JSON.stringify(row).includes(secret.slice(6)), 'stored in clear');
      const shown = await admin('GET', `/admin/users/${user.id}/webhook`);
      assert.deepEqual(Object.keys(shown.body as object).sort(), ['secretCreatedAt', 'secretSet', 'url']);
    });
    await stack.assertInvariants();
  });
});
