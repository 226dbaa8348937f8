/**
 * The Postgres server the local cluster runs on: one admin URL (e.g. postgres://postgres@127.0.0.1:5432),
 * databases by name on it. Temporal creates its own two (deploy/temporal/setup-schema.sh); the app's
 * ledger database is created here.
 */
import pg from 'pg';

export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The URL of one database on this server. */
  url(database: string): string;
}

export function postgresTarget(adminUrl: string): PostgresTarget {
  let u: URL;
  try {
    u = new URL(adminUrl);
  } catch {
    throw new Error(`not a Postgres URL: ${JSON.stringify(adminUrl)}`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw new Error(`not a Postgres URL (postgres://user[:password]@host[:port]): ${u.protocol}…`);
  const target = {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password),
    url(database: string) {
      const auth = target.password
        ? `${encodeURIComponent(target.user)}:${encodeURIComponent(target.password)}`
        : encodeURIComponent(target.user);
      return `postgres://${auth}@${target.host}:${target.port}/${encodeURIComponent(database)}`;
    },
  };
  return target;
}

/** Names go into DDL unquoted-safe only: lower-case letters, digits, underscores. */
function checkName(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name: ${JSON.stringify(name)}`);
  return name;
}

async function withAdmin<T>(target: PostgresTarget, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: target.url('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function ensureDatabase(target: PostgresTarget, name: string): Promise<void> {
  await withAdmin(target, async (c) => {
    const { rowCount } = await c.query('select 1 from pg_database where datname = $1', [checkName(name)]);
    if (!rowCount) await c.query(`create database ${name}`);
  });
}

/** Drops the database, closing whatever sessions are still open on it. */
export async function dropDatabase(target: PostgresTarget, name: string): Promise<void> {
  await withAdmin(target, async (c) => {
    await c.query(`drop database if exists ${checkName(name)} with (force)`);
  });
}
