/**
 * POST /v1/videos refuses bad input and changes nothing, through the whole system: no hold, no ledger
 * entry, no job (docs/architecture.md#http-api). Each field's 422 and the 401s are checked in-process
 * (test/http/validation.test.ts, test/http/auth.test.ts); here, that a refusal leaves the ledger as it was.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestStack } from '../support/stack.js';
import { assertNothingChanged, assertProblem, client, credits, VALID_BODY } from '../support/api-client.js';

describe('POST /v1/videos: invalid requests change nothing', () => {
  it('refuses an invalid field, a bad Idempotency-Key and a poor user, holding nothing', async (t) => {
    const stack = await startTestStack(t);
    const user = await stack.user(1000);
    const api = client(stack, user.apiKey);
    const before = await credits(api);

    await t.test('an invalid field, an unparsable body → 422/400, nothing held', async () => {
      const invalid = await api('POST', '/v1/videos', { body: { ...VALID_BODY, aspectRatio: '1:1' } });
      assertProblem(invalid, 422, 'aspectRatio');
      const raw = { body: '{"prompt": "fox"', headers: { 'content-type': 'application/json' } };
      assertProblem(await api('POST', '/v1/videos', raw), 400, 'body');
      await assertNothingChanged(stack, api, before);
    });

    await t.test('Idempotency-Key too long → 422', async () => {
      const headers = { 'idempotency-key': 'k'.repeat(201) };
      assertProblem(await api('POST', '/v1/videos', { headers, body: VALID_BODY }), 422, 'Idempotency-Key');
      await assertNothingChanged(stack, api, before);
    });

    await t.test('not enough credits → 402, nothing held', async () => {
      const poor = client(stack, (await stack.user(stack.config.prices.veo3_fast - 1)).apiKey);
      const start = await credits(poor);
      assertProblem(await poor('POST', '/v1/videos', { body: { ...VALID_BODY, model: 'veo3_fast' } }), 402);
      const end = await credits(poor);
      assert.deepEqual(
        { balance: end.balance, held: end.held, available: end.available },
        { balance: start.balance, held: 0, available: start.balance },
      );
      await stack.assertInvariants();
    });
  });
});
