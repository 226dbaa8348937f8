/**
 * The two databases every ledger test runs on: PGlite in memory, and the Postgres server
 * (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test) in a fresh schema per test.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/db/index.js';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const DATABASES = ['pglite', 'postgres'] as const;

export async function openTestDb(
  kind: (typeof DATABASES)[number],
): Promise<{ db: Db; drop(): Promise<void> }> {
  if (kind === 'pglite') {
    const db = await openDatabase({});
    return { db, drop: () => db.close() };
  }
  const schema = `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const db = await openDatabase({ url: POSTGRES_URL, schema, poolSize: 20 });
  return {
    db,
    async drop() {
      await db.close();
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    },
  };
}
