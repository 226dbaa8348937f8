/**
 * Statements outside transactions, on both drivers. On PGlite they run as named prepared statements
 * (src/db/pglite-statements.ts): these cases pin what that must not change — values both ways, errors
 * and the session after them, tables and search paths changing under a prepared statement, more
 * distinct statements than are kept, and a statement never running inside another caller's transaction.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Db } from '../../src/db/index.js';
import { DATABASE_KINDS, openScratchDb, type DatabaseKind } from '../support/databases.js';

/** `body` on a scratch schema of its own, dropped afterwards whatever happens. */
async function withScratch(kind: DatabaseKind, body: (db: Db) => Promise<void>): Promise<void> {
  const { db, drop } = await openScratchDb(kind);
  try {
    await body(db);
  } finally {
    await drop();
  }
}

for (const kind of DATABASE_KINDS) {
  void describe(`statements [${kind}]`, () => {
    void it('values round-trip with their types; the same text with other values gives other rows', async () => {
      await withScratch(kind, async (db) => {
        await db.exec(
          'create table v (id text primary key, n int8, at timestamptz, doc jsonb, tags text[], note text)',
        );
        const insert = 'insert into v (id, n, at, doc, tags, note) values ($1, $2, $3, $4, $5, $6)';
        const at = new Date('2026-12-01T12:34:56.789Z');
        await db.query(insert, ['a', 9007199254740991, at, { k: [1, 'x'] }, ['p', 'q'], null]);
        await db.query(insert, ['b', -5, at.toISOString(), JSON.stringify({ k: 2 }), [], "it's"]);
        const select = 'select n, at, doc, tags, note from v where id = $1';
        assert.deepEqual(await db.query(select, ['a']), [
          { n: 9007199254740991, at, doc: { k: [1, 'x'] }, tags: ['p', 'q'], note: null },
        ]);
        assert.deepEqual(await db.query(select, ['b']), [
          { n: -5, at, doc: { k: 2 }, tags: [], note: "it's" },
        ]);
        assert.deepEqual(await db.query(select, ['c']), []);
        assert.deepEqual(await db.query('update v set n = n + $2 where id = $1 returning n', ['b', 7]), [
          { n: 2 },
        ]);
        assert.deepEqual(await db.query('select count(*) as c from v'), [{ c: 2 }]);
      });
    });

    void it('a failed statement reports its SQLSTATE and constraint; the next statements run', async () => {
      await withScratch(kind, async (db) => {
        await db.exec('create table u (id int primary key, x int not null)');
        const insert = 'insert into u (id, x) values ($1, $2)';
        await db.query(insert, [1, 1]);
        await assert.rejects(db.query(insert, [1, 2]), { code: '23505', constraint: 'u_pkey' });
        await assert.rejects(db.query(insert, [2, null]), { code: '23502' });
        await assert.rejects(db.query('select nope from u'), { code: '42703' });
        await db.query(insert, [2, 2]);
        assert.deepEqual(await db.query('select id, x from u order by id'), [
          { id: 1, x: 1 },
          { id: 2, x: 2 },
        ]);
      });
    });

    void it('a table altered, or another search path, under a statement already run', async () => {
      await withScratch(kind, async (db) => {
        await db.exec('create table w (a int)');
        await db.query('insert into w values ($1)', [1]);
        assert.deepEqual(await db.query('select * from w'), [{ a: 1 }]);
        await db.exec('alter table w add column b text');
        await db.query('update w set b = $1', ['new']);
        assert.deepEqual(await db.query('select * from w'), [{ a: 1, b: 'new' }]);
      });
      // On PGlite the next scratch schema is the same session, with another search path.
      await withScratch(kind, async (db) => {
        await db.exec('create table w (c text, d int)');
        await db.query('insert into w values ($1, $2)', ['other', 2]);
        assert.deepEqual(await db.query('select * from w'), [{ c: 'other', d: 2 }]);
      });
    });

    void it('more distinct statements than are kept prepared, then the first ones again', async () => {
      await withScratch(kind, async (db) => {
        const texts = Array.from({ length: 300 }, (_, i) => `select $1::int + ${i} as v`);
        for (const [i, sql] of texts.entries()) assert.deepEqual(await db.query(sql, [1]), [{ v: 1 + i }]);
        for (const [i, sql] of texts.slice(0, 5).entries())
          assert.deepEqual(await db.query(sql, [2]), [{ v: 2 + i }]);
      });
    });

    void it('a statement sent while another caller’s transaction is open runs outside it', async () => {
      await withScratch(kind, async (db) => {
        await db.exec('create table t (x int)');
        let seen: Promise<unknown[]> | undefined;
        await assert.rejects(
          db.transaction(async (tx) => {
            await tx.query('insert into t values (1)');
            seen = db.query('select x from t'); // not part of this transaction
            await new Promise((r) => setTimeout(r, 50));
            throw new Error('rolled back');
          }),
          /rolled back/,
        );
        assert.deepEqual(await seen, [], 'the row of the rolled-back transaction was never visible to it');
      });
    });
  });
}
