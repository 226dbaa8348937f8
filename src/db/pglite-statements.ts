/**
 * Statements on PGlite as named prepared statements sent in one protocol message each — alone, or
 * inside a transaction.
 *
 * Why: `PGlite.query` runs the extended protocol as six separate calls into the wasm backend
 * (parse, describe, bind, describe, execute, sync) and parses and plans the SQL every time. On the
 * create path (the key's lookup and the hold, docs/architecture.md "Hold, then start") that was half
 * of our process's CPU per job start. Here each distinct SQL text is parsed once, under a name, and
 * every call afterwards is one buffer: bind, execute, sync (the row's columns are described once, when
 * the statement is prepared, not on every call). Measured alone on this box: a
 * keyed select 0.54 → 0.13 ms of CPU, a one-row update 0.32 → 0.12 ms. PGlite's `transaction` runs
 * each of its statements the slow way too, and a job's life on the ledger is mostly transactions
 * (KIE's window, the settlement), so those are prepared here as well: a job's ledger work from hold
 * to capture went from 13.4–14.4 to 8.0–8.9 ms of CPU, a wait for KIE's window from 4.8–5.3 to
 * 2.6–2.8 ms (`npm run bench:ledger`).
 *
 * Parameter serialisation, value parsing and errors are PGlite's own (`serializers`, `parsers`,
 * `types.parseType`, the `DatabaseError` `execProtocol` throws once the whole buffer has run,
 * Sync included, so the session is ready for the next statement either way).
 */
import { parse, protocol, types, type messages, type PGlite } from '@electric-sql/pglite';
import { RolledBackAtCommitError } from './errors.js';

/** Distinct SQL texts kept prepared; past this the least recently used is closed. */
const MAX_PREPARED = 256;
/** SQLSTATE of "cached plan must not change result type": a table changed under a prepared statement. */
const FEATURE_NOT_SUPPORTED = '0A000';

interface Prepared {
  name: string;
  /** Parameter type oids, as the server inferred them: they choose each value's serialiser. */
  paramTypes: number[];
  /** The row's columns (name, type oid), described once when prepared; none for a statement without rows. */
  columns: Array<{ name: string; type: number }>;
}

/** What a transaction's callback runs its statements with. */
export interface TransactionStatements {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Several statements, no parameters (the simple protocol): migrations. */
  exec(sql: string): Promise<void>;
}

export interface PreparedStatements {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** `fn` between BEGIN and COMMIT, alone on the backend; rolled back when it throws. */
  transaction<T>(fn: (tx: TransactionStatements) => Promise<T>): Promise<T>;
}

export function preparedStatements(pglite: PGlite): PreparedStatements {
  const { serialize } = protocol;
  const prepared = new Map<string, Prepared>();
  let counter = 0;

  /** Protocol messages, then Sync, in one call into the backend; the messages it answered. */
  async function send(...messages: Uint8Array[]) {
    return (await pglite.execProtocol(concat([...messages, serialize.sync()]), { syncToFs: false })).messages;
  }

  async function forget(sql: string): Promise<void> {
    const statement = prepared.get(sql);
    if (!statement) return;
    prepared.delete(sql);
    await send(serialize.close({ type: 'S', name: statement.name }));
  }

  async function prepare(sql: string): Promise<Prepared> {
    const name = `veo_${++counter}`;
    const answer = await send(serialize.parse({ name, text: sql }), serialize.describe({ type: 'S', name }));
    const row = answer.find((m): m is messages.RowDescriptionMessage => m.name === 'rowDescription');
    const statement: Prepared = {
      name,
      paramTypes: parse.parseDescribeStatementResults(answer),
      columns: row?.fields.map((f) => ({ name: f.name, type: f.dataTypeID })) ?? [],
    };
    prepared.set(sql, statement);
    if (prepared.size > MAX_PREPARED) await forget(prepared.keys().next().value!);
    return statement;
  }

  /**
   * True when `err` says a table changed under `sql`'s prepared plan; the statement is then closed
   * (also allowed in a failed transaction), and its next use prepares it again.
   */
  async function forgetIfStale(err: unknown, sql: string): Promise<boolean> {
    if ((err as { code?: unknown }).code !== FEATURE_NOT_SUPPORTED || !prepared.has(sql)) return false;
    await forget(sql);
    return true;
  }

  /** The simple protocol (one or more statements, no parameters); the last command's tag. */
  async function simple(sql: string): Promise<string | undefined> {
    const { messages } = await pglite.execProtocol(serialize.query(sql), { syncToFs: false });
    const tags = messages.filter((m): m is typeof m & { text: string } => m.name === 'commandComplete');
    return tags.at(-1)?.text;
  }

  /** One statement; `inTransaction`: its effects are written to the data dir at COMMIT, not now. */
  async function run<T>(sql: string, params: unknown[], inTransaction = false): Promise<T[]> {
    let statement = prepared.get(sql);
    if (statement) {
      prepared.delete(sql); // re-inserted last: the map's order is least recently used first
      prepared.set(sql, statement);
    } else {
      statement = await prepare(sql);
    }
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = pglite.serializers[statement.paramTypes[i]!];
      if (serializer) return serializer(value);
      // A type PGlite has no serialiser for takes the value's text form, as PGlite.query sends it.
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
        return value.toString();
      return JSON.stringify(value);
    });
    // No Describe: the row's columns were described once, when the statement was prepared (a table
    // that changed since fails the execute with FEATURE_NOT_SUPPORTED, and the statement is prepared again).
    const answer = await send(serialize.bind({ statement: statement.name, values }), serialize.execute({}));
    // Outside a transaction every statement commits: written through to the data dir, as query() does.
    if (!inTransaction) await pglite.syncToFs();
    return rowsOf<T>(answer, statement.columns);
  }

  /** The answer's rows as objects, each value parsed as PGlite's query() parses it (its parsers). */
  function rowsOf<T>(answer: messages.BackendMessage[], columns: Prepared['columns']): T[] {
    const rows: T[] = [];
    for (const message of answer) {
      if (message.name !== 'dataRow') continue;
      const row: Record<string, unknown> = {};
      const { fields } = message as messages.DataRowMessage;
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i]!;
        row[column.name] = types.parseType(fields[i] ?? null, column.type, pglite.parsers);
      }
      rows.push(row as T);
    }
    return rows;
  }

  return {
    transaction<T>(fn: (tx: TransactionStatements) => Promise<T>): Promise<T> {
      // As PGlite.transaction: the whole transaction behind any other, each statement alone.
      return pglite._runExclusiveTransaction(async () => {
        const alone = <R>(work: () => Promise<R>) => pglite.runExclusive(work);
        const tx: TransactionStatements = {
          query: <R>(sql: string, params: unknown[] = []) =>
            alone(async () => {
              try {
                return await run<R>(sql, params, true);
              } catch (err) {
                // The transaction has failed either way; a changed table's statement is prepared again next time.
                await forgetIfStale(err, sql);
                throw err;
              }
            }),
          exec: async (sql: string) => void (await alone(() => simple(sql))),
        };
        await alone(() => simple('begin'));
        try {
          let result: T;
          try {
            result = await fn(tx);
          } catch (err) {
            await alone(() => simple('rollback'));
            throw err;
          }
          // A transaction a failed statement left aborted ends in ROLLBACK, whatever COMMIT asks.
          if ((await alone(() => simple('commit'))) === 'ROLLBACK') throw new RolledBackAtCommitError();
          return result;
        } finally {
          await pglite.syncToFs();
        }
      });
    },

    query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      // Behind any running transaction (PGlite has one session), then alone on the backend, as query() is.
      return pglite._runExclusiveTransaction(() =>
        pglite.runExclusive(async () => {
          try {
            return await run<T>(sql, params);
          } catch (err) {
            // A migration changed a table this statement's plan was made for: prepare it again, once.
            if (!(await forgetIfStale(err, sql))) throw err;
            return await run<T>(sql, params);
          }
        }),
      );
    },
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
