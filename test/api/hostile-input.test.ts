/**
 * What `npm run fuzz` found, pinned down: inputs that reached the database (or the router) and came
 * back as 500s. Each now gets a 4xx naming what is wrong, and changes nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_CREDITS } from '../../src/ledger/index.js';
import { startTestStack, TEST_ADMIN_KEY } from '../support/stack.js';
import { assertNothingChanged, assertProblem, client, credits, VALID_BODY } from '../support/api-client.js';

describe('hostile input', () => {
  it('NUL characters, lone surrogates, bad percent-encoding, deep nesting and int4 overflow are 4xx', async (t) => {
    const stack = await startTestStack(t);
    const admin = client(stack, TEST_ADMIN_KEY);
    const user = await stack.user(500);
    const api = client(stack, user.apiKey);
    const before = await credits(api);

    // Postgres refuses NUL in text: in a path, a query string, a body (where it would have reached the
    // workflow's reserve activity and failed there, retried forever).
    assertProblem(await api('GET', '/v1/videos/a%00b'), 422, 'id');
    assertProblem(await api('GET', '/v1/videos?cursor=%00'), 422, 'cursor');
    assertProblem(await api('POST', '/v1/videos', { body: { prompt: 'a\u0000b' } }), 422, 'prompt');
    assertProblem(
      await api('POST', '/api/generate/video', { body: { prompt: 'x', watermark: '\u0000' } }),
      422,
      'watermark',
    );
    // jsonb refuses an unpaired surrogate (sent escaped: JSON allows it).
    assertProblem(await api('POST', '/v1/videos', { body: '{"prompt":"fox \\ud800"}' }), 422, 'prompt');
    assertProblem(await api('POST', '/v1/videos', { body: '{"\\udc00":1,"prompt":"fox"}' }), 422, '\udc00');
    // The router cannot decode these path parameters.
    assertProblem(await api('GET', '/v1/videos/%zz'), 400, 'path');
    assertProblem(await admin('GET', '/admin/users/%C0%AF/credits'), 400, 'path');
    // Valid JSON, nested deeper than any walk by recursion would survive.
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    assertProblem(await admin('POST', '/admin/users', { body: deep }), 422);
    await assertNothingChanged(stack, api, before);

    // Credits are int4: anything larger is refused at the door, and so is a grant that would carry a
    // balance past the maximum.
    assertProblem(
      await admin('POST', '/admin/users', { body: { name: 'big', credits: MAX_CREDITS + 1 } }),
      422,
      'credits',
    );
    assertProblem(
      await admin('POST', `/admin/users/${user.id}/grants`, {
        body: { amount: 769290459655404, idempotencyKey: 'k1' },
      }),
      422,
      'amount',
    );
    const max = await admin('POST', '/admin/users', { body: { name: 'max', credits: MAX_CREDITS } });
    assert.equal(max.status, 201, JSON.stringify(max.body));
    const full = (max.body as { id: string }).id;
    assertProblem(
      await admin('POST', `/admin/users/${full}/grants`, { body: { amount: 1, idempotencyKey: 'one-more' } }),
      422,
      'amount',
    );
    const balance = await admin('GET', `/admin/users/${full}/credits`);
    assert.equal((balance.body as { balance: number }).balance, MAX_CREDITS);
    assertProblem(
      await admin('POST', '/admin/users', { body: { name: 'cap', concurrencyCap: 2 ** 31 } }),
      422,
      'concurrencyCap',
    );
    await stack.assertInvariants();
    assert.equal((await api('POST', '/v1/videos', { body: VALID_BODY })).status, 202, 'still serving');
  });
});
