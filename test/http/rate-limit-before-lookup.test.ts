/**
 * Rate limits that protect the database and the admin key: once an address has spent its budget, made-up
 * bearer keys are refused (429) before any key lookup, while a key seen valid still gets through; and
 * failed admin authentications are limited per address. The ledger is real (PGlite); its key lookups
 * are counted on the way through.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Ledger } from '../../src/ledger/index.js';
import { assertProblem, client } from '../support/api-client.js';
import { ADMIN_KEY, CLOSED_BREAKER, startFakeApp } from '../support/fake-app.js';

const page = { data: [], nextCursor: null };
const randomKey = () => `veo_sk_${randomBytes(24).toString('base64url')}`;

/** The ledger, with its API-key lookups counted. */
function countingLookups(ledger: Ledger) {
  const counter = { lookups: 0 };
  const wrapped = new Proxy(ledger, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop !== 'authenticateApiKey' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        counter.lookups++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { counter, wrapped };
}

void describe('HTTP layer: rate limits before the key lookup', () => {
  void it('a flood of made-up keys gets 429 by address without a lookup each; a valid key still works', async (t) => {
    let counter = { lookups: 0 };
    const app = await startFakeApp(t, { videos: { list: async () => page } }, (ledger) => {
      const counting = countingLookups(ledger);
      counter = counting.counter;
      return { ledger: counting.wrapped, rateLimitPerMinute: 3 };
    });
    const user = await app.user();
    assert.equal((await client(app, user.apiKey)('GET', '/v1/videos')).status, 200);
    assert.equal(counter.lookups, 1);

    for (let i = 0; i < 3; i++) assertProblem(await client(app, randomKey())('GET', '/v1/videos'), 401);
    assert.equal(counter.lookups, 4, 'one lookup per request, not one per guard');

    for (let i = 0; i < 20; i++) {
      const refused = await client(app, randomKey())('GET', '/v1/videos');
      const problem = assertProblem(refused, 429);
      assert.match(problem.detail!, /without a valid API key from this address/);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    }
    assert.equal(counter.lookups, 4, 'the flood past the budget never reached the database');

    const again = await client(app, user.apiKey)('GET', '/v1/videos');
    assert.equal(again.status, 200, 'a key seen valid is not locked out by the flood from its address');
  });

  void it('failed admin authentications are limited per address; past the budget the right key waits too', async (t) => {
    const app = await startFakeApp(
      t,
      { admin: { breaker: async () => CLOSED_BREAKER } },
      { rateLimitPerMinute: 3 },
    );
    const admin = client(app, ADMIN_KEY);
    // Successful admin calls do not count against the address.
    for (let i = 0; i < 5; i++) assert.equal((await admin('GET', '/admin/breaker')).status, 200);
    for (let i = 0; i < 3; i++)
      assertProblem(await client(app, `${ADMIN_KEY}-${i}`)('GET', '/admin/breaker'), 401);
    const limited = assertProblem(await client(app, `${ADMIN_KEY}-x`)('GET', '/admin/breaker'), 429);
    assert.match(limited.detail!, /failed admin authentications/);
    assertProblem(await admin('GET', '/admin/breaker'), 429);
  });
});
