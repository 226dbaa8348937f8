/**
 * A user never sees another user's jobs: 404 (not 403) on every per-job route, and listings hold only
 * the caller's jobs, filtered by state and paged by cursor (docs/architecture.md#http-api).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestStack } from '../support/stack.js';
import {
  assertProblem,
  client,
  createJob,
  isFinal,
  listJobs,
  waitForJob,
  type Client,
  type JobView,
} from '../support/api-client.js';

const ids = (page: { data: Array<{ id: string }> }) => page.data.map((j) => j.id);

/** Every per-job route, as [method, path] for a job id. */
const perJobRoutes = (id: string): Array<[string, string]> => [
  ['GET', `/v1/videos/${id}`],
  ['POST', `/v1/videos/${id}/cancel`],
  ['GET', `/v1/videos/${id}/events`],
  ['GET', `/v1/videos/${id}/content`],
  ['GET', `/v1/videos/${id}/content?variant=1080p`],
];

async function assertAllNotFound(api: Client, id: string) {
  for (const [method, path] of perJobRoutes(id)) {
    const problem = assertProblem(await api(method, path), 404);
    assert.equal(problem.title, 'Not Found', `${method} ${path}`);
  }
}

describe('isolation: users see only their own jobs', () => {
  it('404 on every route for a foreign job; list, state filter and cursor paging are per user', async (t) => {
    // veo3_lite finishes at once; veo3_fast stays running long enough to be cancelled.
    const stack = await startTestStack(t, { sim: { durationsMs: { veo3_lite: 300, veo3_fast: 20_000 } } });
    const a = client(stack, (await stack.user(1000)).apiKey);
    const b = client(stack, (await stack.user(1000)).apiKey);

    const first = await createJob(a, { model: 'veo3_lite' });
    await waitForJob(a, first.id, (j) => j.state === 'succeeded');
    const running = await createJob(a, { model: 'veo3_fast' });
    const last = await createJob(a, { model: 'veo3_lite' });
    await waitForJob(a, last.id, (j) => j.state === 'succeeded');

    await t.test("another user's job answers 404 like a missing one, on every route", async () => {
      for (const job of [first, running]) await assertAllNotFound(b, job.id);
      await assertAllNotFound(b, 'job_doesnotexist');
      await assertAllNotFound(a, 'job_doesnotexist');
      // The routes do work for the owner, and B's cancel did not touch A's job.
      const content = await a('GET', `/v1/videos/${first.id}/content`);
      assert.equal(content.status, 200);
      assert.equal(content.contentType, 'video/mp4');
      const events = await a('GET', `/v1/videos/${first.id}/events`);
      assert.match(events.contentType, /^text\/event-stream/);
      assert.match(String(events.body), /event: end/);
      const stillRunning = await a('GET', `/v1/videos/${running.id}`);
      assert.ok(
        !isFinal(stillRunning.body as JobView),
        `B's cancel reached A's job: ${JSON.stringify(stillRunning.body)}`,
      );
    });

    await t.test('the owner cancels its own job', async () => {
      assert.equal((await a('POST', `/v1/videos/${running.id}/cancel`)).status, 202);
      await waitForJob(a, running.id, (j) => j.state === 'canceled');
    });

    await t.test('listings hold only own jobs, newest first', async () => {
      assert.deepEqual(ids(await listJobs(b)), []);
      assert.deepEqual(ids(await listJobs(a)), [last.id, running.id, first.id]);
    });

    await t.test('state filter', async () => {
      assert.deepEqual(ids(await listJobs(a, '?state=succeeded')), [last.id, first.id]);
      assert.deepEqual(ids(await listJobs(a, '?state=canceled')), [running.id]);
      assert.deepEqual(ids(await listJobs(a, '?state=failed')), []);
      assert.deepEqual(ids(await listJobs(b, '?state=succeeded')), []);
      assertProblem(await a('GET', '/v1/videos?state=done'), 422, 'state');
    });

    await t.test('cursor paging, page size 2', async () => {
      const page1 = await listJobs(a, '?limit=2');
      assert.deepEqual(ids(page1), [last.id, running.id]);
      assert.ok(page1.nextCursor);
      const page2 = await listJobs(a, `?limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`);
      assert.deepEqual(ids(page2), [first.id]);
      assert.equal(page2.nextCursor, null);
      // B cannot read A's jobs through A's cursor.
      assert.deepEqual(ids(await listJobs(b, `?limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`)), []);
      assertProblem(await a('GET', '/v1/videos?limit=0'), 422, 'limit');
      assertProblem(await a('GET', '/v1/videos?limit=101'), 422, 'limit');
      assertProblem(await a('GET', '/v1/videos?cursor=not-a-cursor'), 422, 'cursor');
    });

    await stack.assertInvariants();
  });
});
