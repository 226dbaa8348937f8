/**
 * The operator's API over HTTP: users and keys (issue, revoke), idempotent grants, the spend breaker
 * that stops every new generation at once, and the admin key itself.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestStack, TEST_ADMIN_KEY } from '../support/stack.js';
import { assertProblem, client } from '../support/api-client.js';

describe('admin API', () => {
  it('users, keys, grants and the spend breaker', async (t) => {
    const stack = await startTestStack(t);
    const admin = client(stack, TEST_ADMIN_KEY);

    assertProblem(await client(stack, 'wrong-admin-key')('GET', '/admin/breaker'), 401);
    assertProblem(await client(stack, null)('POST', '/admin/users', { body: { name: 'x' } }), 401);

    const created = await admin('POST', '/admin/users', { body: { name: 'carol', credits: 200 } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const carol = created.body as { id: string; apiKey: string; keyId: string };
    const api = client(stack, carol.apiKey);
    assert.equal((await api('GET', '/v1/credits')).status, 200);

    // Grants are idempotent by their key: a retried grant does not pay twice.
    for (let i = 0; i < 2; i++) {
      const g = await admin('POST', `/admin/users/${carol.id}/grants`, {
        body: { amount: 50, idempotencyKey: 'invoice-7' },
      });
      assert.equal(g.status, 200, JSON.stringify(g.body));
      assert.equal((g.body as { balance: number }).balance, 250);
    }
    assertProblem(
      await admin('POST', '/admin/users/usr_missing/grants', { body: { amount: 1, idempotencyKey: 'k' } }),
      404,
    );
    assertProblem(
      await admin('POST', `/admin/users/${carol.id}/grants`, { body: { amount: -5, idempotencyKey: 'k' } }),
      422,
      'amount',
    );

    // A second key works; revoking the first locks it out and leaves the second alone.
    const second = await admin('POST', `/admin/users/${carol.id}/keys`);
    assert.equal(second.status, 201);
    const { apiKey: secondKey } = second.body as { apiKey: string };
    assert.equal((await admin('DELETE', `/admin/keys/${carol.keyId}`)).status, 204);
    assertProblem(await api('GET', '/v1/credits'), 401);
    assert.equal((await client(stack, secondKey)('GET', '/v1/credits')).status, 200);

    // The breaker: open → every new job refused with 503 and nothing held; closed → jobs run again.
    const open = await admin('POST', '/admin/breaker', {
      body: { open: true, reason: 'KIE top-up pending' },
    });
    assert.deepEqual((open.body as { open: boolean; reason: string }).open, true);
    const user = client(stack, secondKey);
    const refused = await user('POST', '/v1/videos', { body: { prompt: 'A quiet harbour at night' } });
    assertProblem(refused, 503);
    assert.equal(((await user('GET', '/v1/credits')).body as { held: number }).held, 0);
    const closed = await admin('POST', '/admin/breaker', { body: { open: false } });
    assert.equal((closed.body as { open: boolean }).open, false);
    const accepted = await user('POST', '/v1/videos', { body: { prompt: 'A quiet harbour at night' } });
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    await stack.wait((accepted.body as { id: string }).id);
    await stack.assertInvariants();
  });
});
