/**
 * Test databases. The Postgres server's URL is defined here once (TEST_DATABASE_URL).
 *
 * The two databases every ledger scenario runs on, each scenario in a fresh random schema that is
 * dropped afterwards, so parallel test files and runs never see each other's rows:
 * - PGlite in memory: one instance per test file (starting one costs seconds; a schema costs
 *   milliseconds), the schema selected with `set search_path` on its single connection. Scenarios of
 *   one file run one after another (node:test's default), so they never share that setting.
 * - the Postgres server (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test), the
 *   schema set on every pooled connection by openDatabase.
 */
import { randomBytes } from 'node:crypto';
import { after, type TestContext } from 'node:test';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/db/index.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const DATABASE_KINDS = ['pglite', 'postgres'] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

export interface ScratchDb {
  db: Db;
  schema: string;
  drop: () => Promise<void>;
}

export const randomSchemaName = () => `ledger_test_${randomBytes(6).toString('hex')}`;

let sharedPglite: Promise<Db> | undefined;
// Registered at load: the root test's hook, run once every scenario of the file is done.
void after(async () => {
  if (sharedPglite) await (await sharedPglite).close();
});

export async function openScratchDb(
  kind: DatabaseKind,
  opts: { poolSize?: number } = {},
): Promise<ScratchDb> {
  const schema = randomSchemaName();
  if (kind === 'pglite') {
    const db = await (sharedPglite ??= openDatabase({}));
    await db.exec(`create schema ${schema}; set search_path to ${schema}`);
    return { db, schema, drop: () => db.exec(`set search_path to public; drop schema ${schema} cascade`) };
  }
  const db = await openDatabase({ url: TEST_DATABASE_URL, schema, poolSize: opts.poolSize ?? 20 });
  return { db, schema, drop: () => dropAfterClose(db, schema) };
}

export async function dropSchema(schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await admin.end();
  }
}

async function dropAfterClose(db: Db, schema: string): Promise<void> {
  try {
    await db.close();
  } finally {
    await dropSchema(schema);
  }
}

/**
 * For a whole stack (or a process) on the Postgres server: a fresh schema, dropped when the test ends,
 * and the DATABASE_URL that selects it on every connection.
 */
export async function scratchPostgresUrl(t: TestContext, prefix = 'stack'): Promise<string> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
  } finally {
    await admin.end();
  }
  t.after(() => dropSchema(schema));
  return `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}
