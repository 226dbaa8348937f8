/**
 * The product end to end, over HTTP only, on the stack `npm start` assembles: an operator creates a
 * user and grants credits; the user posts a video twice with one Idempotency-Key, follows it over
 * server-sent events, KIE's callback arrives through our webhook, the archived file downloads with
 * the bytes the simulator served, the credits are captured, /metrics moved, and the real Temporal
 * CLI finds the job by its search attribute.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { JobStateSchema } from '../../src/domain/index.js';
import { startTestStack, TEST_ADMIN_KEY } from '../support/stack.js';
import { http } from '../support/api-client.js';
import { metricValue } from '../support/metrics.js';
import { readEvents } from '../support/sse.js';

const execFileAsync = promisify(execFile);
// The domain's states in the order a successful job enters them (its final states after `succeeded` never come).
const ORDER: readonly string[] = JobStateSchema.options;

describe('HTTP journey', () => {
  it('user, credits, idempotent create, SSE, webhook callback, download, capture, metrics, CLI search', async (t) => {
    const stack = await startTestStack(t);
    const admin = http(stack.apiUrl!, TEST_ADMIN_KEY, stack.apiRoutes);

    const created = await admin.post('/admin/users', { name: 'journey' });
    assert.equal(created.status, 201);
    const user = created.body as { id: string; apiKey: string };
    const grant = await admin.post(`/admin/users/${user.id}/grants`, { amount: 500, idempotencyKey: 'g1' });
    assert.equal(grant.status, 200);
    const api = http(stack.apiUrl!, user.apiKey, stack.apiRoutes);
    assert.equal(((await api.get('/v1/credits')).body as { balance: number }).balance, 500);

    const metricsBefore = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    const body = { prompt: 'A red fox running through snow', hd: true };
    const first = await api.post('/v1/videos', body, { 'idempotency-key': 'fox-1' });
    assert.equal(first.status, 202, JSON.stringify(first.body));
    const job = first.body as { id: string; price: number; charged: number | null; state: string };
    const { veo3_fast: modelPrice, hd: hdPrice } = stack.config.prices;
    assert.equal(job.price, modelPrice + hdPrice, 'held: the model + the 1080p');
    assert.equal(job.charged, null, 'nothing charged yet');
    const events = readEvents(`${stack.apiUrl}/v1/videos/${job.id}/events`, user.apiKey);

    const again = await api.post('/v1/videos', body, { 'idempotency-key': 'fox-1' });
    assert.equal((again.body as { id: string }).id, job.id, 'same key, same body → same job');
    const conflict = await api.post(
      '/v1/videos',
      { ...body, prompt: 'Another' },
      { 'idempotency-key': 'fox-1' },
    );
    assert.equal(conflict.status, 409);
    assert.match(conflict.type, /application\/problem\+json/);

    // Server-sent events: states in pipeline order, ending with `succeeded`, then an `end` event.
    const seen = await events;
    // One event per change of state, HD or files: the same state may repeat (archiving, one file at a time).
    const states = seen
      .filter((e) => e.event === 'progress')
      .map((e) => (e.data as { state: string }).state)
      .filter((s, i, all) => i === 0 || s !== all[i - 1]);
    assert.equal(states.at(-1), 'succeeded', states.join(' → '));
    assert.ok(states.includes('generating'), states.join(' → '));
    const ranks = states.map((s) => ORDER.indexOf(s));
    assert.ok(
      ranks.every((r, i) => r >= 0 && (i === 0 || r > ranks[i - 1]!)),
      `in order: ${states.join(' → ')}`,
    );
    assert.equal(seen.at(-1)?.event, 'end');

    const done = (await api.get(`/v1/videos/${job.id}`)).body as {
      state: string;
      charged: number | null;
      kieTaskId: string;
      detection: { channel: string };
      files: Array<{ variant: 'original' | '1080p'; sha256: string; size: number; url: string }>;
    };
    assert.equal(done.state, 'succeeded');
    assert.equal(done.detection.channel, 'callback', 'KIE callback came in through the webhook');
    assert.deepEqual(done.files.map((f) => f.variant).sort(), ['1080p', 'original']);
    assert.equal(done.charged, job.price, '1080p delivered: charged all that was held');

    for (const file of done.files) {
      const res = await fetch(`${stack.apiUrl}${file.url}`, {
        headers: { authorization: `Bearer ${user.apiKey}` },
      });
      assert.equal(res.status, 200);
      const bytes = Buffer.from(await res.arrayBuffer());
      const sha = createHash('sha256').update(bytes).digest('hex');
      assert.equal(sha, stack.simulator!.videoSha256(done.kieTaskId, file.variant), `${file.variant} bytes`);
      assert.equal(sha, file.sha256);
      const part = await fetch(`${stack.apiUrl}${file.url}`, {
        headers: { authorization: `Bearer ${user.apiKey}`, range: 'bytes=4-7' },
      });
      assert.equal(part.status, 206);
      assert.equal(Buffer.from(await part.arrayBuffer()).toString('latin1'), 'ftyp');
    }

    assert.equal(stack.simulator!.stats().generateCalls, 1, 'one KIE generation for the two POSTs');
    const credits = (await api.get('/v1/credits')).body as {
      balance: number;
      held: number;
      entries: unknown[];
    };
    assert.equal(credits.balance, 500 - job.price, 'price captured once');
    assert.equal(credits.held, 0);
    await stack.assertInvariants();

    const metricsAfter = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      metricValue(metricsAfter, name, labels) - metricValue(metricsBefore, name, labels);
    assert.equal(moved('veo_jobs_created_total', { model: 'veo3_fast' }), 1);
    assert.equal(moved('veo_jobs_finished_total', { state: 'succeeded' }), 1);
    assert.equal(moved('veo_detection_total', { channel: 'callback' }), 1);
    assert.ok(moved('veo_stage_duration_seconds_count', { stage: 'generating' }) >= 1, 'stage durations');
    assert.ok(moved('veo_kie_calls_total', { endpoint: 'generate', code: '200' }) >= 1, 'KIE calls');
    assert.ok(moved('veo_webhooks_total') >= 1, 'webhooks counted');

    // The real Temporal CLI finds the job by user (visibility is eventually consistent: a few tries).
    const cli = process.env.TEMPORAL_CLI_PATH ?? 'temporal';
    const query = `VideoUserId='${user.id}'`;
    let ids: string[] = [];
    for (let i = 0; i < 20 && ids.length === 0; i++) {
      const { stdout } = await execFileAsync(cli, [
        'workflow',
        'list',
        '--address',
        stack.temporal.address,
        '--query',
        query,
        '--output',
        'json',
      ]);
      ids = (JSON.parse(stdout || '[]') as Array<{ execution: { workflowId: string } }>).map(
        (w) => w.execution.workflowId,
      );
      if (ids.length === 0) await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual(ids, [`video-${job.id}`]);
  });
});
