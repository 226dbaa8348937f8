/** Users and API keys: the plaintext is shown once and never stored — on PGlite and Postgres. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { hashApiKey } from '../../src/ledger/index.js';
import { forEachDatabase, T0 } from './ledger-harness.js';

forEachDatabase('users and API keys', (t) => {
  void it('creates users with optional caps', async () => {
    const plain = await t.ledger.createUser({ name: 'plain' });
    assert.deepEqual(
      { ...plain, id: 'x' },
      { id: 'x', name: 'plain', concurrencyCap: null, dailySpendCap: null, createdAt: T0 },
    );
    const capped = await t.ledger.createUser({ name: 'capped', concurrencyCap: 3, dailySpendCap: 500 });
    assert.deepEqual(await t.ledger.getUser(capped.id), capped);
    assert.notEqual(plain.id, capped.id);
    assert.equal(await t.ledger.getUser('usr_missing'), null);
    await assert.rejects(t.ledger.createUser({ name: 'bad', concurrencyCap: -1 }), RangeError);
  });

  void it('stores only the hash, finds the user by key, and forgets a revoked key', async () => {
    const user = await t.fundedUser(0);
    const other = await t.fundedUser(0);
    const key = await t.ledger.createApiKey(user.id);
    const otherKey = await t.ledger.createApiKey(other.id);
    assert.match(key.key, /^veo_sk_[A-Za-z0-9_-]{32}$/);
    assert.ok(key.key.startsWith(key.prefix));
    assert.notEqual(key.key, otherKey.key);

    const rows = await t.db.query<Record<string, unknown>>('select * from api_keys');
    assert.equal(rows.length, 2);
    const stored = JSON.stringify(rows);
    assert.ok(!stored.includes(key.key) && !stored.includes(otherKey.key), 'no plaintext key in the table');
    assert.ok(!stored.includes(key.key.slice(key.prefix.length)), 'not even the secret part');
    assert.deepEqual(rows.find((r) => r.id === key.id)?.key_hash, hashApiKey(key.key));

    assert.equal((await t.ledger.findUserByApiKey(key.key))?.id, user.id);
    assert.equal((await t.ledger.findUserByApiKey(otherKey.key))?.id, other.id);
    assert.equal(await t.ledger.findUserByApiKey(`${key.key}x`), null);
    assert.equal(await t.ledger.findUserByApiKey(hashApiKey(key.key)), null, 'the hash itself is not a key');
    assert.equal(await t.ledger.findUserByApiKey(''), null);

    assert.equal(await t.ledger.revokeApiKey(key.id), true);
    assert.equal(await t.ledger.revokeApiKey(key.id), false);
    assert.equal(await t.ledger.findUserByApiKey(key.key), null);
    assert.equal((await t.ledger.findUserByApiKey(otherKey.key))?.id, other.id, 'other keys keep working');
    // A user may hold several keys; a new one works while the revoked one stays dead.
    const second = await t.ledger.createApiKey(user.id);
    assert.equal((await t.ledger.findUserByApiKey(second.key))?.id, user.id);
    assert.equal(await t.ledger.findUserByApiKey(key.key), null);
  });
});
