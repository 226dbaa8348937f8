/**
 * What the benchmark scripts share: the `npm start` assembly's config for a throwaway data dir
 * (embedded Temporal on free ports, quiet logs, a known admin key), and one authenticated API call.
 */
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
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

/**
 * Keep-alive connections shared by every call of the benches' setup and checks (users, reads). The
 * load generator of `bench:starts` does not come here: it has a leaner client of its own
 * (lean-http-client.ts).
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One call to the API with a bearer key; throws on any non-2xx answer. */
export function apiCall(
  method: 'GET' | 'POST',
  base: string,
  route: string,
  key: string,
  body?: unknown,
): Promise<unknown> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(route, base),
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${key}`,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) reject(new Error(`${method} ${route}: ${status} ${text}`));
          else {
            try {
              resolve(JSON.parse(text));
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
