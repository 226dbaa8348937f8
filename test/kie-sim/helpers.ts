/** Shared bits of the simulator tests: a fast simulator, a raw API caller, a callback receiver. */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { startKieSimulator, type KieSimulator, type SimOptions } from '../../src/kie-sim/index.js';
import { FAST_SIM } from '../support/simulator.js';
import { waitFor } from '../support/wait-for.js';

export const KEY = 'sim-test-key';

/** Lifecycles in a few hundred ms; the rate limit out of the way unless a test is about it. */
export const FAST: SimOptions = {
  ...FAST_SIM,
  apiKeys: [KEY],
  rateLimit: { max: 10_000, windowMs: 10_000 },
};

/**
 * Everything a test file starts is closed when it ends. (One root-level `after`: an `after` called
 * from inside a `before` hook would run as soon as that hook returns.)
 */
const closers: Array<() => Promise<void>> = [];
after(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A simulator closed when the test file ends. */
export async function sim(opts: SimOptions = {}): Promise<KieSimulator> {
  const s = await startKieSimulator({ ...FAST, ...opts });
  closers.push(() => s.close());
  return s;
}

export interface Envelope {
  code: number;
  msg: string;
  data: unknown;
}

/** One raw call to the simulator's API; returns the HTTP status and the parsed envelope. */
export async function call(
  s: { url: string },
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Envelope }> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Envelope };
}

/** Just the envelope. */
export const api = async (
  s: { url: string },
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => (await call(s, method, path, body, headers)).body;

export const dataOf = <T = Record<string, unknown>>(e: Envelope): T => e.data as T;

export async function generate(
  s: { url: string },
  body: Record<string, unknown> = {},
  headers?: Record<string, string>,
): Promise<string> {
  const r = await api(
    s,
    'POST',
    '/api/v1/veo/generate',
    { prompt: 'A lighthouse at dawn', model: 'veo3_fast', ...body },
    headers,
  );
  assert.equal(r.code, 200, r.msg);
  return dataOf<{ taskId: string }>(r).taskId;
}

export const recordInfo = async (s: { url: string }, taskId: string) =>
  api(s, 'GET', `/api/v1/veo/record-info?taskId=${encodeURIComponent(taskId)}`);

export { waitFor };

/** data of record-info (docs/kie-api.md#record-info). */
export interface VeoRecord {
  taskId: string;
  paramJson: string;
  completeTime: string | null;
  response: {
    taskId: string;
    resultUrls: string[];
    originUrls: string[] | null;
    fullResultUrls?: string[];
    resolution: string;
  } | null;
  successFlag: number;
  errorCode: number | null;
  errorMessage: string;
  createTime: string;
  fallbackFlag: boolean;
}

/** Waits for a task's successFlag to leave 0; returns record-info's data. */
export const settled = (s: { url: string }, taskId: string): Promise<VeoRecord> =>
  waitFor(`task ${taskId} to settle`, async () => {
    const d = dataOf<VeoRecord>(await recordInfo(s, taskId));
    return d.successFlag !== 0 ? d : undefined;
  });

/** The first result URL of a succeeded task. */
export const firstResultUrl = (r: VeoRecord): string => r.response!.resultUrls[0]!;

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { code: number; msg: string; data: Record<string, unknown> & { taskId?: string } };
  at: number;
}

/** A callback receiver: records every POST and answers with `status(request, n)` (default 200). */
export async function receiver(status: (r: Received, n: number) => number = () => 200) {
  const seen: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const r: Received = {
        path: req.url ?? '',
        headers: req.headers,
        body,
        json: JSON.parse(body) as Received['json'],
        at: Date.now(),
      };
      seen.push(r);
      const code = status(r, seen.filter((x) => x.path === r.path).length);
      res.writeHead(code, { 'content-type': 'application/json' }).end('{"code":200,"msg":"success"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    url,
    seen,
    on: (path: string) => seen.filter((r) => r.path === path),
    waitFor: (path: string, count = 1, timeoutMs = 5_000) =>
      waitFor(
        `${count} callback(s) on ${path}`,
        async () => {
          const got = seen.filter((r) => r.path === path);
          return got.length >= count ? got : undefined;
        },
        timeoutMs,
      ),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Downloads a URL fully; status and bytes (null when not 2xx). */
export async function download(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes };
}
