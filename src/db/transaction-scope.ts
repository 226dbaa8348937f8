/**
 * The `Db` handed to a transaction's callback: every statement on the transaction's one connection,
 * and nested `transaction()` calls as savepoints, so composed ledger operations can each ask for a
 * transaction and a failing inner step rolls back alone.
 *
 * Statements of one transaction run one after another (one connection): don't `Promise.all` inside.
 */
import type { Db } from './db.js';

type RunQuery = (sql: string, params?: unknown[]) => Promise<unknown[]>;

export function transactionScope(
  kind: Db['kind'],
  run: RunQuery,
  exec: (sql: string) => Promise<void>,
  depth = 0,
): Db {
  return {
    kind,
    query: <T>(sql: string, params?: unknown[]) => run(sql, params) as Promise<T[]>,
    exec,
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      const savepoint = `sp_${depth + 1}`;
      await run(`savepoint ${savepoint}`);
      try {
        const result = await fn(transactionScope(kind, run, exec, depth + 1));
        await run(`release savepoint ${savepoint}`);
        return result;
      } catch (err) {
        await run(`rollback to savepoint ${savepoint}`);
        throw err;
      }
    },
    close: () => Promise.reject(new Error('close the database, not a transaction')),
  };
}
