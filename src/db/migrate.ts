/**
 * Applies pending migrations, each recorded in schema_migrations, all in one transaction (Postgres
 * DDL is transactional: a failed migration leaves nothing half-applied).
 *
 * Several processes (API replicas, workers) may boot at once against one server: the first takes a
 * transaction-scoped advisory lock, the others wait on it and then find nothing left to do. The lock
 * is keyed by schema so parallel test runs in their own schemas don't queue behind each other.
 * PGlite has a single connection, so there is nobody to race.
 */
import type { Db } from './db.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/** Arbitrary constant: the advisory lock "class" of this application's migrations. */
const MIGRATION_LOCK_CLASS = 727_274;

export async function migrate(
  db: Db,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<{ applied: number[] }> {
  return db.transaction(async (tx) => {
    if (tx.kind === 'postgres') {
      await tx.query(`select pg_advisory_xact_lock($1, hashtext(coalesce(current_schema(), '')))`, [
        MIGRATION_LOCK_CLASS,
      ]);
    }
    await tx.query(`
      create table if not exists schema_migrations (
        id integer primary key,
        name text not null,
        applied_at timestamptz not null default now()
      )`);
    const done = new Set(
      (await tx.query<{ id: number }>('select id from schema_migrations')).map((r) => r.id),
    );
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
      if (done.has(m.id)) continue;
      await tx.exec(m.sql);
      await tx.query('insert into schema_migrations (id, name) values ($1, $2)', [m.id, m.name]);
      applied.push(m.id);
    }
    return { applied };
  });
}
