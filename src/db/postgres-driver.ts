/**
 * A Postgres server through a `pg.Pool`. Transactions take one pooled client for BEGIN … COMMIT;
 * concurrency safety comes from row locks taken in SQL (the ledger locks the user row), never from
 * this process — several API and worker processes share the database.
 */
import pg from 'pg';
import type { Db, OpenDatabaseOptions } from './db.js';
import { isUniqueViolation, RolledBackAtCommitError } from './errors.js';
import { parseSafeInteger } from './safe-integer.js';
import { inTransactionScope } from './transaction-scope.js';

const INT8_OID = 20;
const DUPLICATE_SCHEMA = '42P06';

type TextParser = (value: string) => unknown;
const pgParser = (oid: number, format?: 'text' | 'binary') =>
  pg.types.getTypeParser(oid, format) as TextParser;

// Per-pool parsers: pg's global `types.setTypeParser` would change every other pg user in the process.
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): TextParser =>
    oid === INT8_OID && format !== 'binary'
      ? parseSafeInteger
      : pgParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

export async function openPostgres(opts: OpenDatabaseOptions & { url: string }): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    // pg closes a connection idle for 10 s by default; the next burst then opens them again, and
    // opening 8 at once took 110–190 ms here — the whole of GET p99 in bench:inflight. A few
    // connections kept for 5 minutes cost the server little.
    idleTimeoutMillis: 300_000,
    // …without holding a process that is done open for those minutes.
    allowExitOnIdle: true,
    types: typeParsers,
    // A startup option rather than a `SET` after connect: it is in force before the first statement
    // of every connection, with no window where a query could run against another schema.
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  // An idle client losing its server (restart, failover) is dropped by the pool; without a listener
  // the 'error' event would crash the process.
  pool.on('error', (err) => process.emitWarning(`idle Postgres connection lost: ${err.message}`));

  if (opts.schema) {
    try {
      await pool.query(`create schema if not exists ${opts.schema}`);
    } catch (err) {
      // Two processes creating the same schema at once: the loser sees a duplicate, which is fine.
      if ((err as { code?: string }).code !== DUPLICATE_SCHEMA && !isUniqueViolation(err)) {
        await pool.end();
        throw err;
      }
    }
  }

  let closed = false;
  return {
    kind: 'postgres',
    query: async <T>(sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as T[],
    exec: async (sql) => void (await pool.query(sql)),
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // A client whose ROLLBACK failed is in an unknown state: destroy it instead of pooling it.
      let broken: Error | undefined;
      // The pool listens for errors only on idle clients. A server that goes away while this one is
      // checked out (restart, failover, terminated backend) emits 'error' on it: unheard, that event
      // would crash the process. The statement in flight fails on its own; the client is destroyed.
      const onError = (err: Error) => {
        broken = err;
      };
      client.on('error', onError);
      try {
        await client.query('begin');
        const result = await inTransactionScope(
          'postgres',
          async (sql, params) => (await client.query(sql, params)).rows as unknown[],
          async (sql) => void (await client.query(sql)),
          fn,
        );
        if ((await client.query('commit')).command === 'ROLLBACK') throw new RolledBackAtCommitError();
        return result;
      } catch (err) {
        await client.query('rollback').catch((rollbackErr: Error) => {
          broken = rollbackErr;
        });
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
