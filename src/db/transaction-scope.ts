/**
 * The `Db` handed to a transaction's callback: every statement on the transaction's one connection,
 * and nested `transaction()` calls as savepoints, so composed ledger operations can each ask for a
 * transaction and a failing inner step rolls back alone. Once the callback has settled the scope
 * refuses: kept past it, it would run a statement outside its transaction (PGlite) or on a
 * connection the pool has since handed to another caller (pg).
 *
 * Statements of one transaction run one after another (one connection): don't `Promise.all` inside.
 */
import type { Db } from './db.js';

type RunQuery = (sql: string, params?: unknown[]) => Promise<unknown[]>;

/** `fn` with a scope over the driver's transaction statements, closed when `fn` settles. */
export async function inTransactionScope<T>(
  kind: Db['kind'],
  run: RunQuery,
  exec: (sql: string) => Promise<void>,
  fn: (tx: Db) => Promise<T>,
): Promise<T> {
  let open = true;
  const ensureOpen = () => {
    if (!open) throw new Error('This transaction has ended: run its statements before it returns.');
  };
  const guardedRun: RunQuery = async (sql, params) => {
    ensureOpen();
    return run(sql, params);
  };
  const guardedExec = async (sql: string) => {
    ensureOpen();
    await exec(sql);
  };
  try {
    return await fn(transactionScope(kind, guardedRun, guardedExec));
  } finally {
    open = false;
  }
}

function transactionScope(
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
