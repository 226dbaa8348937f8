/**
 * Per-key rate limiting: each valid API key has its own budget per minute; callers without a valid
 * key share their address's budget, so guessing keys does not buy a fresh budget per guess.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestStack } from '../support/stack.js';
import { client } from '../support/api-client.js';

describe('rate limiting', () => {
  it('429 problem+json with RateLimit headers past the budget, per key; unknown keys share the address budget', async (t) => {
    const stack = await startTestStack(t, { env: { RATE_LIMIT_PER_MINUTE: '3' } });
    const alice = client(stack, (await stack.user(0)).apiKey);
    const bob = client(stack, (await stack.user(0)).apiKey);

    for (let i = 0; i < 3; i++) assert.equal((await alice('GET', '/v1/credits')).status, 200);
    const limited = await alice('GET', '/v1/credits');
    assert.equal(limited.status, 429);
    assert.match(limited.contentType, /application\/problem\+json/);
    assert.ok(limited.headers.get('ratelimit'), 'RateLimit header (draft-8)');
    assert.ok(limited.headers.get('ratelimit-policy'), 'RateLimit-Policy header');

    assert.equal((await bob('GET', '/v1/credits')).status, 200, "another key's budget is its own");

    const guesses = [];
    for (let i = 0; i < 4; i++)
      guesses.push((await client(stack, `veo_sk_guess${i}`)('GET', '/v1/credits')).status);
    assert.deepEqual(guesses, [401, 401, 401, 429]);
  });
});
