/**
 * Many jobs started at once for one user, through Temporal, on the Postgres server: the holds never
 * exceed the user's credits. Enough for exactly five; twelve start together; five run, seven are
 * rejected at start with nothing held, and the ledger's invariants hold when all have ended.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scratchPostgresUrl } from '../support/databases.js';
import { startTestStack } from '../support/stack.js';

describe('generateVideo: concurrent reserves on Postgres', () => {
  it('twelve simultaneous starts with credits for five: five held, seven rejected, never overspent', async (t) => {
    const databaseUrl = await scratchPostgresUrl(t, 'reserve');
    const stack = await startTestStack(t, { env: { DATABASE_URL: databaseUrl } });
    const price = stack.config.prices.veo3_fast;
    const user = await stack.user(price * 5);
    const starts = await Promise.all(Array.from({ length: 12 }, () => stack.start(user.id)));

    const accepted = starts.filter((s) => s.reservation.ok);
    assert.equal(accepted.length, 5, 'exactly as many holds as the credits allow');
    for (const { reservation } of starts.filter((x) => !x.reservation.ok))
      assert.equal(reservation.ok ? null : reservation.reason, 'insufficient_credits');
    const balance = await stack.ledger.balance(user.id);
    assert.equal(balance.held, price * 5);
    assert.equal(balance.available, 0);

    for (const s of accepted) assert.equal((await stack.wait(s.jobId)).state, 'succeeded');
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: 0, held: 0, available: 0 });
    await stack.assertInvariants();
  });
});
