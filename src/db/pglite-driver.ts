/**
 * PGlite: one Postgres backend inside this process, on disk (dataDir) or in memory.
 *
 * There is one connection, so there is nothing to serialise by hand: PGlite queues every statement
 * behind a running transaction itself. Correctness still never relies on that — the ledger takes the
 * same row locks as on a server, which are simply uncontended here.
 */
import { mkdirSync } from 'node:fs';
import { PGlite, types } from '@electric-sql/pglite';
import type { Db, OpenDatabaseOptions } from './db.js';
import { preparedStatements } from './pglite-statements.js';
import { parseSafeInteger } from './safe-integer.js';
import { inTransactionScope } from './transaction-scope.js';

export async function openPglite(opts: Pick<OpenDatabaseOptions, 'dataDir' | 'schema'>): Promise<Db> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    // Same number semantics as the pg driver (see safe-integer.ts).
    parsers: { [types.INT8]: parseSafeInteger },
  });
  // One connection: setting the search path once covers every later statement.
  if (opts.schema)
    await pglite.exec(`create schema if not exists ${opts.schema}; set search_path to ${opts.schema}`);

  let closed = false;
  const statements = preparedStatements(pglite);
  return {
    kind: 'pglite',
    query: (sql, params) => statements.query(sql, params),
    exec: async (sql) => void (await pglite.exec(sql)),
    transaction: (fn) =>
      statements.transaction((tx) =>
        inTransactionScope(
          'pglite',
          (sql, params) => tx.query(sql, params),
          (sql) => tx.exec(sql),
          fn,
        ),
      ),
    async close() {
      if (closed) return;
      closed = true;
      await pglite.close();
    },
  };
}
