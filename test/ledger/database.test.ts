/** The database layer: both drivers behave alike; migrations are idempotent and race-safe; PGlite persists. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { migrate, MIGRATIONS, openDatabase } from '../../src/db/index.js';
import { createLedger } from '../../src/ledger/index.js';
import {
  DATABASE_KINDS,
  dropSchema,
  openScratchDb,
  randomSchemaName,
  TEST_DATABASE_URL,
} from '../support/databases.js';

const ALL_MIGRATIONS = MIGRATIONS.map((m) => m.id);

for (const kind of DATABASE_KINDS) {
  void describe(`database [${kind}]`, () => {
    void it('migrations are idempotent', async () => {
      const { db, drop } = await openScratchDb(kind);
      try {
        assert.deepEqual(await migrate(db), { applied: ALL_MIGRATIONS });
        assert.deepEqual(await migrate(db), { applied: [] });
        await createLedger(db); // migrates again on its own
        const rows = await db.query<{ id: number }>('select id from schema_migrations order by id');
        assert.deepEqual(
          rows.map((r) => r.id),
          ALL_MIGRATIONS,
        );
        const ledger = await createLedger(db, { migrate: false });
        assert.deepEqual(await ledger.checkInvariants(), []);
      } finally {
        await drop();
      }
    });

    void it('upgrading from migration 1 backfills the open-hold counter', async () => {
      const { db, drop } = await openScratchDb(kind);
      try {
        await migrate(db, MIGRATIONS.slice(0, 1));
        await db.query(`insert into users (id, name, balance, held) values ('u', 'old', 100, 30)`);
        await db.query(
          `insert into credit_entries (user_id, kind, amount, idempotency_key) values ('u', 'grant', 100, 'g')`,
        );
        for (const job of ['a', 'b', 'c']) {
          await db.query(
            `insert into credit_entries (user_id, kind, amount, job_id) values ('u', 'hold', 15, $1)`,
            [job],
          );
        }
        await db.query(
          `insert into credit_entries (user_id, kind, amount, job_id) values ('u', 'release', 15, 'c')`,
        );
        await db.query(`update users set held = 30 where id = 'u'`);
        assert.deepEqual(await migrate(db), { applied: ALL_MIGRATIONS.slice(1) });
        const [user] = await db.query<{ open_holds: number }>(`select open_holds from users where id = 'u'`);
        assert.equal(user?.open_holds, 2);
        assert.deepEqual(await (await createLedger(db)).checkInvariants(), []);
      } finally {
        await drop();
      }
    });

    void it('returns int8 as numbers, rolls back failed transactions, nests with savepoints', async () => {
      const { db, drop } = await openScratchDb(kind);
      try {
        const [row] = await db.query<{ big: number; n: number }>(
          'select 9007199254740991::int8 as big, count(*) as n from (values (1), (2)) v(x)',
        );
        assert.deepEqual(row, { big: Number.MAX_SAFE_INTEGER, n: 2 });
        await assert.rejects(db.query('select 9007199254740992::int8 as too_big'), RangeError);

        await db.exec('create table t (x int primary key)');
        await assert.rejects(
          db.transaction(async (tx) => {
            await tx.query('insert into t values (1)');
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.deepEqual(await db.query('select x from t'), []);

        const result = await db.transaction(async (tx) => {
          await tx.query('insert into t values (1)');
          await assert.rejects(
            tx.transaction(async (inner) => {
              await inner.query('insert into t values (2)');
              await inner.query('insert into t values (1)'); // duplicate: fails the inner scope only
            }),
            /duplicate key/,
          );
          await tx.transaction(async (inner) => inner.query('insert into t values (3)'));
          return 'committed';
        });
        assert.equal(result, 'committed');
        assert.deepEqual(await db.query('select x from t order by x'), [{ x: 1 }, { x: 3 }]);
      } finally {
        await drop();
      }
    });
  });
}

void describe('database [postgres only]', () => {
  void it('two processes starting at once on a fresh schema migrate it exactly once', async () => {
    const schema = randomSchemaName();
    try {
      // Separate pools = separate "processes"; they also race to create the schema.
      const [a, b] = await Promise.all(
        [1, 2].map(() => openDatabase({ url: TEST_DATABASE_URL, schema, poolSize: 2 })),
      );
      try {
        const results = await Promise.all([migrate(a!), migrate(b!), migrate(a!), migrate(b!)]);
        assert.deepEqual(
          results.map((r) => r.applied).sort((x, y) => y.length - x.length),
          [ALL_MIGRATIONS, [], [], []],
        );
        assert.deepEqual(
          (await a!.query<{ id: number }>('select id from schema_migrations order by id')).map((r) => r.id),
          ALL_MIGRATIONS,
        );
      } finally {
        await Promise.all([a!.close(), b!.close()]);
      }
    } finally {
      await dropSchema(schema);
    }
  });

  void it('a server gone mid-transaction fails that transaction, not the process; the next one reconnects', async () => {
    const { db, drop } = await openScratchDb('postgres');
    try {
      const outcome = db.transaction(async (tx) => {
        const [me] = await tx.query<{ pid: number }>('select pg_backend_pid() as pid');
        // What a Postgres restart does to every session: the server ends it while we hold the client.
        await db.query('select pg_terminate_backend($1)', [me!.pid]);
        await new Promise((r) => setTimeout(r, 300)); // the termination notice arrives while checked out
        await tx.query('select 1');
      });
      await assert.rejects(outcome);
      assert.deepEqual(await db.query<{ n: number }>('select 1 as n'), [{ n: 1 }]);
      assert.deepEqual(await db.transaction((tx) => tx.query<{ n: number }>('select 2 as n')), [{ n: 2 }]);
    } finally {
      await drop();
    }
  });

  void it('each schema is isolated: a test schema never sees another one’s rows', async () => {
    const one = await openScratchDb('postgres');
    const two = await openScratchDb('postgres');
    try {
      const l1 = await createLedger(one.db);
      const l2 = await createLedger(two.db);
      const user = await l1.createUser({ name: 'only in one' });
      assert.equal(await l2.getUser(user.id), null);
      const [where] = await one.db.query<{ schema: string }>('select current_schema() as schema');
      assert.equal(where?.schema, one.schema);
      // Every pooled connection, not just the first, is in the schema.
      const schemas = await Promise.all(
        Array.from({ length: 8 }, () =>
          one.db.transaction((tx) => tx.query<{ s: string }>('select current_schema() as s')),
        ),
      );
      assert.deepEqual(new Set(schemas.map((r) => r[0]?.s)), new Set([one.schema]));
    } finally {
      await one.drop();
      await two.drop();
    }
  });
});

void describe('PGlite on disk', () => {
  void it('keeps its data across close and reopen', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ledger-pglite-'));
    try {
      const dataDir = path.join(dir, 'nested', 'pglite'); // created if missing
      const first = await openDatabase({ dataDir });
      const l1 = await createLedger(first);
      const user = await l1.createUser({ name: 'persist' });
      const key = await l1.createApiKey(user.id);
      await l1.grant({ userId: user.id, amount: 42, idempotencyKey: 'g' });
      await l1.reserve({ jobId: 'j', userId: user.id, amount: 40 });
      await first.close();

      const second = await openDatabase({ dataDir });
      try {
        const l2 = await createLedger(second);
        assert.deepEqual(await l2.balance(user.id), { balance: 42, held: 40, available: 2 });
        assert.equal((await l2.findUserByApiKey(key.key))?.id, user.id);
        assert.deepEqual(await l2.grant({ userId: user.id, amount: 42, idempotencyKey: 'g' }), {
          applied: false,
        });
        assert.deepEqual(await l2.capture('j'), { applied: true, outcome: 'captured' });
        assert.deepEqual(await l2.checkInvariants(), []);
      } finally {
        await second.close();
        await second.close(); // closing twice is harmless
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
