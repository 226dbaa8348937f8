/** Users and API keys: the plaintext is shown once and never stored — on PGlite and Postgres. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Db } from '../../src/db/index.js';
import { createLedger, hashApiKey } from '../../src/ledger/index.js';
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

  void describe('with found keys remembered (API_KEY_CACHE_SECONDS)', () => {
    /** A second ledger on the same database, as another API process: it counts its key lookups. */
    const remembering = async (cacheMs: number, gate?: () => Promise<void>) => {
      const lookups = { count: 0 };
      const db: Db = {
        kind: t.db.kind,
        query: async (sql, params) => {
          if (/from api_keys k join users/.test(sql)) {
            lookups.count++;
            const rows = await t.db.query(sql, params);
            await gate?.();
            return rows as never;
          }
          return t.db.query(sql, params);
        },
        exec: (sql) => t.db.exec(sql),
        transaction: (fn) => t.db.transaction(fn),
        close: () => t.db.close(),
      };
      const ledger = await createLedger(db, { migrate: false, clock: () => t.now, apiKeyCacheMs: cacheMs });
      return { ledger, lookups };
    };
    const later = (ms: number) => (t.now = new Date(t.now.getTime() + ms));

    void it('looks a found key up once until it expires; unknown keys every time', async () => {
      const user = await t.fundedUser(0);
      const key = await t.ledger.createApiKey(user.id);
      const { ledger, lookups } = await remembering(5_000);
      assert.deepEqual(await ledger.authenticateApiKey(key.key), { keyId: key.id, user });
      assert.deepEqual(await ledger.authenticateApiKey(key.key), { keyId: key.id, user });
      assert.equal((await ledger.findUserByActiveApiKeyId(key.id))?.id, user.id);
      assert.equal((await ledger.findUserByActiveApiKeyId(key.id))?.id, user.id);
      assert.equal(lookups.count, 2, 'one lookup by the key, one by its id (sessions)');
      later(4_999);
      assert.equal((await ledger.findUserByApiKey(key.key))?.id, user.id);
      assert.equal(lookups.count, 2);
      later(1);
      assert.equal((await ledger.findUserByApiKey(key.key))?.id, user.id);
      assert.equal(lookups.count, 3, 'expired: read again');

      const unknown = `${key.key}x`;
      assert.equal(await ledger.authenticateApiKey(unknown), null);
      assert.equal(await ledger.authenticateApiKey(unknown), null);
      assert.equal(lookups.count, 5, 'a key that was not found is not remembered');
    });

    void it('forgets a key it revokes at once; one revoked elsewhere within the time it is kept', async () => {
      const user = await t.fundedUser(0);
      const here = await t.ledger.createApiKey(user.id);
      const elsewhere = await t.ledger.createApiKey(user.id);
      const { ledger } = await remembering(5_000);
      for (const key of [here, elsewhere]) {
        assert.equal((await ledger.findUserByApiKey(key.key))?.id, user.id);
        assert.equal((await ledger.findUserByActiveApiKeyId(key.id))?.id, user.id);
      }
      assert.equal(await ledger.revokeApiKey(here.id), true);
      assert.equal(await ledger.findUserByApiKey(here.key), null, 'revoked here: gone at once');
      assert.equal(await ledger.findUserByActiveApiKeyId(here.id), null, 'and its sessions with it');

      assert.equal(await t.ledger.revokeApiKey(elsewhere.id), true);
      assert.equal((await ledger.findUserByApiKey(elsewhere.key))?.id, user.id, 'still remembered');
      later(5_000);
      assert.equal(await ledger.findUserByApiKey(elsewhere.key), null, 'expired: the revocation shows');
      assert.equal(await ledger.findUserByActiveApiKeyId(elsewhere.id), null);
    });

    void it('does not keep what a lookup read before a revocation that ended first', async () => {
      const user = await t.fundedUser(0);
      const key = await t.ledger.createApiKey(user.id);
      let release = () => {};
      let reached = () => {};
      const paused = new Promise<void>((resolve) => (reached = resolve));
      const { ledger, lookups } = await remembering(5_000, async () => {
        if (lookups.count !== 1) return;
        reached();
        await new Promise<void>((resolve) => (release = resolve));
      });
      // The lookup has read the key as active; the revocation commits before it answers.
      const lookup = ledger.authenticateApiKey(key.key);
      await paused;
      assert.equal(await ledger.revokeApiKey(key.id), true);
      release();
      assert.equal((await lookup)?.keyId, key.id, 'it answers what it read');
      assert.equal(await ledger.authenticateApiKey(key.key), null, 'but kept nothing of it');
    });

    void it('keeps nothing with 0', async () => {
      const user = await t.fundedUser(0);
      const key = await t.ledger.createApiKey(user.id);
      const { ledger, lookups } = await remembering(0);
      await ledger.authenticateApiKey(key.key);
      await ledger.authenticateApiKey(key.key);
      assert.equal(lookups.count, 2);
    });
  });
});
