/**
 * Many jobs in flight at once (measured, not asserted): the `npm start` assembly in one process (API,
 * worker, PGlite, simulator) takes jobs in steps until N wait on KIE, which never finishes during
 * the run. After each step it prints the jobs in flight, the process RSS (worker + API + database,
 * so the worker alone is below it), and `GET /v1/videos/:id` latency measured meanwhile.
 *
 * KIE's account limit is lifted for the run (simulator and pacing alike) so every job gets its task
 * and waits in `generating`, and polling is stretched to 10 min: the jobs wait on timers and
 * callbacks, as they do while KIE works.
 *
 *   npm run bench:inflight -- [--jobs 10000] [--step 1000] [--concurrency 32]
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../src/observability/logger.js';
import { apiCall, BENCH_ADMIN_KEY, benchConfig } from './bench/harness.js';
import { startStack } from '../src/runtime/stack.js';
import { mib, pct, runConcurrently } from './bench/stats.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    step: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' },
  },
});
const total = Number(values.jobs);
const step = Number(values.step);
const concurrency = Number(values.concurrency);

const { dataDir, config } = await benchConfig('inflight', {
  USER_CONCURRENCY_CAP: String(total),
  RATE_LIMIT_PER_MINUTE: '10000000',
  KIE_GENERATIONS_PER_10S: '10000',
  KIE_SUBMIT_CONCURRENCY: '16',
});
const stack = await startStack({
  config,
  logger: createLogger('error'),
  projectRoot: path.resolve(import.meta.dirname, '..'),
  simulator: {
    seed: 1,
    durationsMs: { veo3_fast: 6 * 3600_000 },
    rateLimit: { max: 1_000_000, windowMs: 10_000 },
    // Enough KIE credits on the simulated account for every generation of the run.
    credits: 1_000_000_000,
  },
  timing: { firstPollAfterMs: 600_000, pollIntervalMs: 600_000, generationDeadlineMs: 6 * 3600_000 },
});

try {
  const api = stack.apiUrl!;
  const user = (await apiCall('POST', api, '/admin/users', BENCH_ADMIN_KEY, {
    name: 'bench',
    credits: total * config.prices.veo3_fast,
  })) as { apiKey: string };
  const ids: string[] = [];
  console.log(
    `${total} jobs in steps of ${step}, ${concurrency} creates at a time; KIE never finishes during the run`,
  );
  console.log(
    '  in flight   generating   RSS        heap       GET p50   GET p99   (200 GETs, 8 at a time, while jobs wait)',
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
    console.log(
      `  ${String(ids.length).padStart(9)}   ${String(generating).padStart(10)}   ${mib(mem.rss).padEnd(9)}  ${mib(mem.heapUsed).padEnd(9)}  ${Math.round(pct(gets.latencies, 50))} ms`.padEnd(
        78,
      ) + `${Math.round(pct(gets.latencies, 99))} ms`,
    );
  }
  console.log(`  ${total} jobs started and waiting in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const invariants = await stack.ledger.checkInvariants();
  console.log(`  ledger invariants   ${invariants.length === 0 ? 'hold' : invariants.join('; ')}`);
} finally {
  await stack.close();
  await rm(dataDir, { recursive: true, force: true });
}
