/**
 * What the benchmark scripts share: the `npm start` assembly's config for a throwaway data dir
 * (embedded Temporal on free ports, quiet logs, a known admin key), and one authenticated API call.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { freePort } from '../../src/temporal/dev-server.js';

export const BENCH_ADMIN_KEY = 'bench-admin-key-0123456789abcdefghijk';

/** A fresh data dir and the config of a one-process stack on it; `env` adds or overrides variables. */
export async function benchConfig(
  name: string,
  env: Record<string, string>,
): Promise<{ dataDir: string; config: Config }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `veo-bench-${name}-`));
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    LOG_LEVEL: 'error',
    ADMIN_API_KEY: BENCH_ADMIN_KEY,
    ...env,
  });
  return { dataDir, config };
}

/** One call to the API with a bearer key; throws on any non-2xx answer. */
export async function apiCall(
  method: 'GET' | 'POST',
  base: string,
  route: string,
  key: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return res.json();
}
