/**
 * Secrets never reach the logs nor Temporal's workflow history (docs/kie-api.md#callbacks, docs/operations.md#secrets: "the key never logged";
 * docs/architecture.md#workflow-conventions: payloads hold URLs, keys and ids — never credentials). One job runs end to end at debug level,
 * completed through KIE's signed callback, with every log line the stack writes collected; then the
 * logs, the job's workflow history (payloads decoded) and its ledger record are searched for each secret.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { jobCallbackToken } from '../../src/kie/webhook-auth.js';
import { videoWorkflowId } from '../../src/workflows/job-types.js';
import { startTestStack } from '../support/stack.js';
import { assertProblem, call, client, createJob, waitForJob } from '../support/api-client.js';
import { captureLogs, searchableHistory } from '../support/captured-logs.js';

function assertAbsent(where: string, text: string, secrets: Record<string, string>) {
  for (const [name, value] of Object.entries(secrets)) {
    assert.ok(!text.includes(value), `the ${name} appears in the ${where}`);
  }
}

describe('secrets stay out of logs and workflow payloads', () => {
  it('a job completed by a signed callback, at debug level, leaks no secret', async (t) => {
    const kieHmacKey = randomBytes(24).toString('base64url');
    const { lines, logger } = captureLogs();
    // The first poll is far away: the signed callback is what completes the job.
    const stack = await startTestStack(t, {
      env: { LOG_LEVEL: 'debug', KIE_WEBHOOK_HMAC_KEY: kieHmacKey },
      logger,
      timing: { firstPollAfterMs: 20_000, generationDeadlineMs: 40_000 },
    });
    const adminKey = stack.adminApiKey!;
    const webhookSecret = readFileSync(path.join(stack.dataDir, 'secrets', 'webhook-secret'), 'utf8').trim();

    // The user and its key come from the admin API, so the admin key is used over HTTP too.
    const created = await call(stack.apiUrl!, 'POST', '/admin/users', {
      key: adminKey,
      body: { name: 'secretive', credits: 1000 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const userKey = (created.body as { apiKey: string }).apiKey;
    const api = client(stack, userKey);
    // The studio's session: its token is a credential too.
    const origin = new URL(stack.apiUrl!).origin;
    const signIn = await call(stack.apiUrl!, 'POST', '/v1/session', {
      body: { apiKey: userKey },
      headers: { origin },
    });
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
    const sessionToken = signIn.headers.getSetCookie()[0]!.split(';')[0]!.split('=')[1]!;
    const cookie = { cookie: `veo_session=${sessionToken}` };
    assert.equal((await call(stack.apiUrl!, 'GET', '/v1/credits', { headers: cookie })).status, 200);

    const job = await createJob(api, { model: 'veo3_lite', hd: true });
    const done = await waitForJob(api, job.id, (j) => j.state === 'succeeded');
    assert.equal(done.detection?.channel, 'callback');
    const signed = stack.simulator!.task(done.kieTaskId!)!.callbacks.filter((c) => c.status === 200);
    assert.ok(signed.length > 0 && signed.every((c) => c.headers['x-webhook-signature']), 'signed callbacks');

    // Wrong credentials of every kind: refused, and not logged either.
    const wrong = {
      'wrong user key': `sk_wrong_${randomBytes(16).toString('hex')}`,
      'wrong admin key': `admin_wrong_${randomBytes(16).toString('hex')}`,
      'wrong callback token': `token_wrong_${randomBytes(16).toString('hex')}`,
    };
    assertProblem(await api('GET', '/v1/credits', { key: wrong['wrong user key'] }), 401);
    assertProblem(await api('GET', `/api/jobs/${job.id}`, { key: wrong['wrong user key'] }), 401);
    assertProblem(await call(stack.apiUrl!, 'GET', '/admin/breaker', { key: wrong['wrong admin key'] }), 401);
    const forged = await call(
      stack.apiUrl!,
      'POST',
      `/webhooks/kie/${job.id}?token=${wrong['wrong callback token']}`,
      { body: { code: 200, msg: 'ok', data: { taskId: done.kieTaskId } } },
    );
    assertProblem(forged, 401);

    const secrets = {
      'webhook secret': webhookSecret,
      'callback token': jobCallbackToken(webhookSecret, job.id),
      'KIE HMAC key': kieHmacKey,
      'KIE API key': 'sim-key',
      'user API key': userKey,
      'admin key': adminKey,
      'session token': sessionToken,
    };
    // The callback URL KIE was given does carry the token: the check below is not vacuous.
    assert.ok(stack.simulator!.task(done.kieTaskId!)!.callbackUrl!.includes(secrets['callback token']));

    await t.test('logs', () => {
      const logs = lines.join('');
      // The capture works and is at debug level: the job and its callback were logged.
      assert.ok(
        lines.some((l) => (JSON.parse(l) as { level: number }).level === 20),
        'debug lines',
      );
      assert.match(logs, /KIE callback forwarded to workflow/);
      assert.ok(logs.includes(job.id), 'the job id is logged');
      assertAbsent('logs', logs, { ...secrets, ...wrong });
    });

    await t.test('workflow history, payloads decoded', async () => {
      const history = await searchableHistory(stack, videoWorkflowId(job.id));
      assert.ok(history.includes(job.id) && history.includes(done.kieTaskId!), 'payloads were decoded');
      assertAbsent('workflow history', history, secrets);
    });

    await t.test('signed content links are not logged', async () => {
      const file = ((await api('GET', `/v1/videos/${job.id}`)).body as { files: Array<{ url: string }> })
        .files[0]!;
      const sig = new URL(file.url, stack.apiUrl!).searchParams.get('sig')!;
      assert.equal((await call(stack.apiUrl!, 'GET', file.url)).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 100)); // the request's log line is written on finish
      assert.ok(!lines.join('').includes(sig), 'the link signature appears in the logs');
    });

    await t.test('job record', async () => {
      assertAbsent('job record', JSON.stringify(await stack.ledger.getJob(job.id)), secrets);
    });
    await stack.assertInvariants();
  });
});
