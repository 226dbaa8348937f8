/**
 * Statements outside transactions, on both drivers. On PGlite they run as named prepared statements
 * (src/db/pglite-statements.ts): these cases pin what that must not change — values both ways, errors
 * and the session after them, tables and search paths changing under a prepared statement, more
 * distinct statements than are kept, and a statement never running inside another caller's transaction.
 * Inside transactions too (PGlite prepares those statements the same way): values, a commit, a failed
 * statement that the callback catches, a table altered under a statement, a scope used after its end.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RolledBackAtCommitError, type Db } from '../../src/db/index.js';
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

for (const kind of DATABASE_KINDS) {
  void describe(`statements in a transaction [${kind}]`, () => {
    void it('values round-trip inside it, its statements see each other, and a commit keeps them', async () => {
      await withScratch(kind, async (db) => {
        await db.exec('create table v (id text primary key, n int8, at timestamptz, doc jsonb, tags text[])');
        const at = new Date('2026-12-02T05:06:07.089Z');
        const insert = 'insert into v (id, n, at, doc, tags) values ($1, $2, $3, $4, $5)';
        const select = 'select id, n, at, doc, tags from v order by id';
        const inside = await db.transaction(async (tx) => {
          await tx.query(insert, ['a', 9007199254740991, at, { k: [1] }, ['p']]);
          await tx.exec("insert into v (id, n) values ('b', 2); update v set n = n + 1 where id = 'b'");
          // The same text again, with other values: the prepared statement is used twice.
          await tx.query(insert, ['c', -1, null, null, []]);
          return tx.query(select);
        });
        const rows = [
          { id: 'a', n: 9007199254740991, at, doc: { k: [1] }, tags: ['p'] },
          { id: 'b', n: 3, at: null, doc: null, tags: null },
          { id: 'c', n: -1, at: null, doc: null, tags: [] },
        ];
        assert.deepEqual(inside, rows);
        assert.deepEqual(await db.query(select), rows);
      });
    });

    void it('a failed statement whose error the callback catches: nothing is committed, and the caller is told', async () => {
      await withScratch(kind, async (db) => {
        await db.exec('create table u (id int primary key)');
        await assert.rejects(
          db.transaction(async (tx) => {
            await tx.query('insert into u values ($1)', [1]);
            await tx.query('insert into u values ($1)', [1]).catch(() => 'swallowed');
            return 'done';
          }),
          RolledBackAtCommitError,
        );
        assert.deepEqual(await db.query('select id from u'), []);
        // The session is usable again, inside a transaction and out.
        await db.transaction((tx) => tx.query('insert into u values ($1)', [2]));
        assert.deepEqual(await db.query('select id from u'), [{ id: 2 }]);
      });
    });

    void it('a table altered under a statement prepared in an earlier transaction', async () => {
      await withScratch(kind, async (db) => {
        await db.exec('create table w (a int)');
        const read = 'select * from w';
        await db.transaction(async (tx) => {
          await tx.query('insert into w values ($1)', [1]);
          assert.deepEqual(await tx.query(read), [{ a: 1 }]);
        });
        await db.exec('alter table w add column b text');
        // Each driver may fail this once (the plan's result type changed); the next one reads the new shape.
        const again = () =>
          db.transaction(async (tx) => {
            await tx.query('update w set b = $1', ['new']);
            return tx.query(read);
          });
        const rows = await again().catch(() => again());
        assert.deepEqual(rows, [{ a: 1, b: 'new' }]);
        assert.deepEqual(await db.query(read), [{ a: 1, b: 'new' }]);
      });
    });

    void it('a transaction scope used after its transaction ended refuses, and runs nothing', async () => {
      await withScratch(kind, async (db) => {
        await db.exec('create table t (x int)');
        let kept: Db | undefined;
        await db.transaction(async (tx) => {
          kept = tx;
          await tx.query('insert into t values (1)');
        });
        await assert.rejects(kept!.query('insert into t values (2)'), /transaction has ended/);
        await assert.rejects(kept!.exec('insert into t values (3)'), /transaction has ended/);
        await assert.rejects(
          kept!.transaction((inner) => inner.query('select 1')),
          /transaction has ended/,
        );
        assert.deepEqual(await db.query('select x from t'), [{ x: 1 }]);
      });
    });
  });
}
