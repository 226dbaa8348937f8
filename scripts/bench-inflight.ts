/**
 * Many jobs in flight at once (measured, not asserted): jobs are taken in steps until N wait on KIE,
 * which never finishes during the run. After each step it prints the jobs in flight, RSS, and
 * `GET /v1/videos/:id` latency measured meanwhile.
 *
 * Default: the `npm start` assembly in one process (API, worker, PGlite, simulator): its RSS is worker +
 * API + database. `--worker-process`: the production split — this process runs the API and the
 * embedded Temporal dev server, the ledger is on the Postgres server, the worker is
 * `src/worker-main.ts` in a process of its own, whose RSS is printed alone, and KIE (the simulator,
 * `src/kie-sim/main.ts`) is in another, as the real one is remote: its answers to the jobs' polls do
 * not run on the API's event loop.
 *
 * KIE's account limit is lifted for the run (simulator and pacing alike) so every job gets its task
 * and waits in `generating`, and polling is stretched to 10 min: the jobs wait on timers and
 * callbacks, as they do while KIE works.
 *
 * `--poll-s` shortens the poll (first and later) so that the jobs' polls come due while jobs are
 * still being added: the worker replays them and calls record-info while the GETs are measured.
 *
 *   npm run bench:inflight -- [--jobs 10000] [--step 1000] [--concurrency 32] [--poll-s 600]
 *                             [--worker-process] [--postgres postgres://postgres@127.0.0.1:5432]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dropDatabase, ensureDatabase, postgresTarget } from '../src/cluster/postgres-target.js';
import { inheritedEnv, supervise } from '../src/cluster/supervised-process.js';
import { createLogger } from '../src/observability/logger.js';
import { apiCall, BENCH_ADMIN_KEY, benchConfig } from './bench/harness.js';
import { startStack } from '../src/runtime/stack.js';
import { mib, pct, runConcurrently } from './bench/stats.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    step: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' },
    'worker-process': { type: 'boolean', default: false },
    'poll-s': { type: 'string', default: '600' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432' },
  },
});
const total = Number(values.jobs);
const step = Number(values.step);
const concurrency = Number(values.concurrency);
const split = values['worker-process'];
const pollMs = Number(values['poll-s']) * 1000;
const root = path.resolve(import.meta.dirname, '..');

const simOptions = {
  seed: 1,
  durationsMs: { veo3_fast: 6 * 3600_000 },
  rateLimit: { max: 1_000_000, windowMs: 10_000 },
  // Enough KIE credits on the simulated account for every generation of the run.
  credits: 1_000_000_000,
};
const limits = {
  USER_CONCURRENCY_CAP: String(total),
  RATE_LIMIT_PER_MINUTE: '10000000',
  KIE_GENERATIONS_PER_10S: '10000',
  KIE_SUBMIT_CONCURRENCY: '16',
};
// Split: one simulator and one Postgres database shared by this process and the worker's.
const pg = postgresTarget(values.postgres);
const dbName = 'veo_bench_inflight';
const sim = split ? await startSimulatorProcess() : null;
if (split) {
  await dropDatabase(pg, dbName);
  await ensureDatabase(pg, dbName);
}
const splitEnv: Record<string, string> = sim
  ? {
      DATABASE_URL: pg.url(dbName),
      KIE_API_KEY: 'sim-key',
      KIE_BASE_URL: sim.url,
      WEBHOOK_SECRET: 'bench-inflight-webhook-secret-0123456789abcdef',
    }
  : {};

const { dataDir, config } = await benchConfig('inflight', { ...limits, ...splitEnv });
const stack = await startStack({
  config,
  logger: createLogger('error'),
  projectRoot: root,
  roles: { api: true, worker: !split },
  simulator: simOptions,
  timing: { firstPollAfterMs: pollMs, pollIntervalMs: pollMs, generationDeadlineMs: 6 * 3600_000 },
});

let worker: ChildProcess | null = null;
if (split) {
  worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker-main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      ...limits,
      ...splitEnv,
      TEMPORAL_ADDRESS: stack.temporal.address,
      PUBLIC_BASE_URL: stack.apiUrl!,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
/** The worker's RSS: its own process when split, else this process (worker + API + database). */
const workerRss = () => {
  if (!worker?.pid) return process.memoryUsage().rss;
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'))?.[1];
  return Number(kib) * 1024;
};

try {
  const api = stack.apiUrl!;
  const user = (await apiCall('POST', api, '/admin/users', BENCH_ADMIN_KEY, {
    name: 'bench',
    credits: total * config.prices.veo3_fast,
  })) as { apiKey: string };
  const ids: string[] = [];
  console.log(
    `${total} jobs in steps of ${step}, ${concurrency} creates at a time; KIE never finishes during the run; each job polls after ${pollMs / 1000} s (first: up to 1.25 × that), then every ${pollMs / 1000} s`,
  );
  console.log(
    `  in flight   generating   ${split ? 'worker RSS' : 'RSS       '} heap       GET p50   GET p99   (200 GETs, 8 at a time, while jobs wait)`,
  );
  const t0 = Date.now();
  while (ids.length < total) {
    const n = Math.min(step, total - ids.length);
    await runConcurrently(n, concurrency, async (i) => {
      const job = (await apiCall('POST', api, '/v1/videos', user.apiKey, {
        prompt: `In flight ${ids.length + i}`,
      })) as {
        id: string;
      };
      ids.push(job.id);
    });
    // Let the step's jobs reach KIE (their submits, then their timers) before measuring.
    const settled = Date.now() + 120_000;
    let generating = 0;
    while (Date.now() < settled) {
      generating = (
        await stack.db.query<{ n: number }>(`select count(*)::int as n from jobs where state = 'generating'`)
      )[0]!.n;
      if (generating >= ids.length) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    global.gc?.();
    const gets = await runConcurrently(200, 8, async (i) => {
      await apiCall('GET', api, `/v1/videos/${ids[(i * 7919) % ids.length]}`, user.apiKey);
    });
    const mem = process.memoryUsage();
    const heap = split ? '(worker)' : mib(mem.heapUsed);
    console.log(
      `  ${String(ids.length).padStart(9)}   ${String(generating).padStart(10)}   ${mib(workerRss()).padEnd(9)}  ${heap.padEnd(9)}  ${Math.round(pct(gets.latencies, 50))} ms`.padEnd(
        78,
      ) + `${Math.round(pct(gets.latencies, 99))} ms`,
    );
  }
  console.log(`  ${total} jobs started and waiting in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const invariants = await stack.ledger.checkInvariants();
  console.log(`  ledger invariants   ${invariants.length === 0 ? 'hold' : invariants.join('; ')}`);
} finally {
  const w = worker;
  if (w && w.exitCode === null) {
    const exited = new Promise((r) => w.once('exit', r));
    w.kill('SIGTERM');
    await exited;
  }
  await stack.close();
  await sim?.close();
  if (split) await dropDatabase(pg, dbName);
  await rm(dataDir, { recursive: true, force: true });
}

/**
 * The simulator as its own program, with simOptions, supervised as the local cluster's is (a watchdog
 * stops it with this process, however that ends); its base URL is the first line it prints.
 */
async function startSimulatorProcess(): Promise<{ url: string; close(): Promise<void> }> {
  const proc = supervise({
    name: 'kie-sim',
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      'src/kie-sim/main.ts',
      '--port=0',
      `--seed=${simOptions.seed}`,
      `--duration-ms=${simOptions.durationsMs.veo3_fast}`,
      `--rate-limit=${simOptions.rateLimit.max}/${simOptions.rateLimit.windowMs}`,
      `--credits=${simOptions.credits}`,
      '--api-key=sim-key',
      '--quiet',
    ],
    env: inheritedEnv(),
    cwd: root,
    logFile: path.join(tmpdir(), 'veo-bench-inflight-kie-sim.log'),
  });
  const ready = proc.waitForLine(/^http:\/\/\S+$/, 60_000);
  proc.start();
  return { url: (await ready).trim(), close: () => proc.stop() };
}
