/**
 * One database interface over two drivers: PGlite (real Postgres compiled to WASM, in-process — the
 * embedded default) and a Postgres server through `pg` (DATABASE_URL). Same SQL, same migrations:
 * code above this module never knows which one it talks to (except `kind`, for diagnostics and the
 * advisory lock that only a multi-connection server needs).
 */
import { openPglite } from './pglite-driver.js';
import { openPostgres } from './postgres-driver.js';
import type { Db, OpenDatabaseOptions } from './db.js';
import { assertSchemaName } from './schema-name.js';

export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<Db> {
  if (opts.schema !== undefined) assertSchemaName(opts.schema);
  return opts.url ? openPostgres({ ...opts, url: opts.url }) : openPglite(opts);
}
