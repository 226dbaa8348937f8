/** Account actions, each one transaction: all of it happens or none of it — on PGlite and Postgres. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { UnknownUserError } from '../../src/ledger/index.js';
import { forEachDatabase } from './ledger-harness.js';

forEachDatabase('account actions', (t) => {
  const count = async (table: string) =>
    Number((await t.db.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0]!.n);

  void it('creates a user with its key and initial grant together, or nothing at all', async () => {
    const { user, key } = await t.ledger.createUserWithKey({ name: 'ada', credits: 120 });
    assert.equal((await t.ledger.findUserByApiKey(key.key))?.id, user.id);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 120, held: 0, available: 120 });

    // The grant fails after the user and key rows were written: neither is left behind.
    await assert.rejects(t.ledger.createUserWithKey({ name: 'bad', credits: 1.5 }), RangeError);
    assert.equal(await count('users'), 1);
    assert.equal(await count('api_keys'), 1);

    const { user: free } = await t.ledger.createUserWithKey({ name: 'free' });
    assert.deepEqual(await t.ledger.entries(free.id), []);
  });

  void it('grants and answers the balance after the grant; a replay changes nothing', async () => {
    const user = await t.fundedUser(10);
    const grant = { userId: user.id, amount: 5, idempotencyKey: 'g1' };
    assert.deepEqual(await t.ledger.grantCredits(grant), {
      applied: true,
      balance: { balance: 15, held: 0, available: 15 },
    });
    assert.deepEqual(await t.ledger.grantCredits(grant), {
      applied: false,
      balance: { balance: 15, held: 0, available: 15 },
    });
  });

  void it('refuses a key or a grant for an unknown user, writing nothing', async () => {
    await assert.rejects(t.ledger.issueApiKey('usr_missing'), UnknownUserError);
    await assert.rejects(
      t.ledger.grantCredits({ userId: 'usr_missing', amount: 5, idempotencyKey: 'g' }),
      UnknownUserError,
    );
    await assert.rejects(t.ledger.statement('usr_missing'), UnknownUserError);
    assert.equal(await count('api_keys'), 0);
    assert.equal(await count('credit_entries'), 0);
    const user = await t.fundedUser(0);
    const key = await t.ledger.issueApiKey(user.id);
    assert.equal((await t.ledger.findUserByApiKey(key.key))?.id, user.id);
  });

  void it('a statement is the balance with the newest entries first', async () => {
    const user = await t.fundedUser(10);
    await t.ledger.grantCredits({ userId: user.id, amount: 7, idempotencyKey: 'g2', note: 'bonus' });
    const s = await t.ledger.statement(user.id, 1);
    assert.deepEqual(
      { ...s, entries: s.entries.map((e) => [e.kind, e.amount, e.note]) },
      {
        balance: 17,
        held: 0,
        available: 17,
        entries: [['grant', 7, 'bonus']],
      },
    );
  });
});
