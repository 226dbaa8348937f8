/**
 * Customers' webhooks at the edges (docs/operations.md#customer-webhooks): the operator sets a user's
 * default URL and signing secret — the secret shown once, in the answer that made it, never again —
 * and a job's webhookUrl that may not be used is a 422 naming it, with nothing held.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNothingChanged, assertProblem, client, credits, VALID_BODY } from '../support/api-client.js';
import { captureLogs } from '../support/captured-logs.js';
import { startTestStack, TEST_ADMIN_KEY } from '../support/stack.js';

interface Webhook {
  url: string | null;
  secretSet: boolean;
  secretCreatedAt: string | null;
  secret?: string;
}

describe("customers' webhook settings", () => {
  it('secrets shown once; URLs checked; bad ones refused with nothing held', async (t) => {
    const { lines, logger } = captureLogs('debug');
    const stack = await startTestStack(t, { env: { LOG_LEVEL: 'debug' }, logger });
    const admin = client(stack, TEST_ADMIN_KEY);
    const user = await stack.user(1000);
    const api = client(stack, user.apiKey);
    const path = `/admin/users/${user.id}/webhook`;
    const shown: string[] = [];

    await t.test('the admin API: set, show, rotate, clear', async () => {
      assert.deepEqual((await admin('GET', path)).body, {
        url: null,
        secretSet: false,
        secretCreatedAt: null,
      });
      // The user's first URL comes with its secret, in this answer only.
      const first = await admin('PUT', path, { body: { url: 'https://hooks.example.com/veo' } });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      const made = first.body as Webhook;
      assert.match(made.secret ?? '', /^whsec_/);
      assert.equal(made.url, 'https://hooks.example.com/veo');
      shown.push(made.secret!);
      const read = (await admin('GET', path)).body as Webhook;
      assert.deepEqual(read, { url: made.url, secretSet: true, secretCreatedAt: made.secretCreatedAt });
      // Another URL keeps the secret, and does not show it.
      const moved = (await admin('PUT', path, { body: { url: 'https://hooks.example.com/v2' } }))
        .body as Webhook;
      assert.equal(moved.secret, undefined);
      // Rotation: a new secret, once.
      const rotated = await admin('POST', `${path}/secret`);
      assert.equal(rotated.status, 201);
      const fresh = (rotated.body as Webhook).secret!;
      assert.match(fresh, /^whsec_/);
      assert.notEqual(fresh, made.secret);
      shown.push(fresh);
      assert.equal(((await admin('GET', path)).body as Webhook).secret, undefined);
      // Clearing the URL keeps the secret for jobs that name their own.
      assert.deepEqual(((await admin('PUT', path, { body: { url: null } })).body as Webhook).url, null);
      assertProblem(await admin('PUT', path, { body: { url: 'http://hooks.example.com/' } }), 422, 'url');
      assertProblem(await admin('PUT', path, { body: { url: 'https://10.0.0.7/hook' } }), 422, 'url');
      assertProblem(await admin('PUT', path, { body: {} }), 422, 'url');
      assertProblem(await admin('GET', '/admin/users/usr_missing/webhook'), 404);
      assertProblem(await admin('POST', '/admin/users/usr_missing/webhook/secret'), 404);
      assertProblem(await client(stack, user.apiKey)('GET', path), 401);
    });

    await t.test('a job webhookUrl that may not be used: 422 naming it, nothing held', async () => {
      const before = await credits(api);
      for (const webhookUrl of [
        'http://hooks.example.com/veo', // not https
        'https://user:pw@hooks.example.com/veo', // credentials
        'https://127.0.0.1:8080/veo', // loopback: not under the public policy
        'https://169.254.169.254/latest', // link-local (cloud metadata)
        'ftp://hooks.example.com/veo',
        'not a url',
      ]) {
        const r = await api('POST', '/v1/videos', { body: { ...VALID_BODY, webhookUrl } });
        assertProblem(r, 422, 'webhookUrl');
      }
      await assertNothingChanged(stack, api, before);
    });

    await t.test('a webhookUrl needs a signing secret: 422 for a user without one', async () => {
      const bare = await stack.user(1000);
      const bareApi = client(stack, bare.apiKey);
      const before = await credits(bareApi);
      const r = await bareApi('POST', '/v1/videos', {
        body: { ...VALID_BODY, webhookUrl: 'https://hooks.example.com/veo' },
      });
      assert.match(assertProblem(r, 422, 'webhookUrl').detail ?? '', /signing secret/);
      await assertNothingChanged(stack, bareApi, before);
    });

    await t.test('no secret in the logs', () => {
      const logs = lines.join('');
      assert.ok(logs.includes(`/admin/users/${user.id}/webhook`), 'the admin requests were logged');
      for (const secret of shown) assert.ok(!logs.includes(secret.slice(6)), 'a secret appears in the logs');
    });
  });
});
