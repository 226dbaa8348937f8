/**
 * The database interface every layer above src/db talks to, and the options that open one: types
 * only, kept apart from `openDatabase` so the drivers that implement them do not import it back.
 */
export interface Db {
  readonly kind: 'pglite' | 'postgres';
  /** One statement, `$1`-style parameters. int8 columns come back as JS numbers (never strings). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Several statements, no parameters: what migrations need (PGlite's `query` takes one statement). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction on one connection: committed when `fn` resolves, rolled back when it
   * throws. Inside `fn` use `tx` only — statements on the outer `Db` run on other connections (pg) or
   * wait for this transaction to end (PGlite). `tx.transaction` opens a savepoint.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Postgres connection string → `pg.Pool`. Omitted → PGlite. */
  url?: string | undefined;
  /** PGlite data directory (created if missing). Omitted → in-memory. Ignored with `url`. */
  dataDir?: string | undefined;
  /**
   * An isolated schema, created if missing and the only entry of `search_path` on every connection,
   * so parallel test runs (or tenants) never see each other's tables.
   */
  schema?: string | undefined;
  /** Pool size for a Postgres server (default 10). */
  poolSize?: number | undefined;
}
