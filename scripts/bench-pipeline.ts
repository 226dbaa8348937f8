/**
 * The whole pipeline under load, measured (not asserted): the `npm start` assembly (embedded Temporal,
 * PGlite, local storage, the KIE simulator with a fixed generation time) takes N jobs over HTTP, C at
 * a time, and this prints what a user and an operator would ask:
 * - create latency (POST → 202: the credit hold, through update-with-start),
 * - end-to-end latency and our overhead on top of KIE's own generation time,
 * - throughput, how completion was detected, peak RSS of the one process running everything.
 * KIE's 20-generations-per-10-s limit is on, as on the real API: beyond it, 429s are retried.
 *
 *   npm run bench:pipeline -- [--jobs 40] [--concurrency 10] [--kie-ms 3000] [--poll-ms 1000] [--hd]
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../src/observability/logger.js';
import { apiCall, BENCH_ADMIN_KEY, benchConfig } from './bench/harness.js';
import { startStack } from '../src/runtime/stack.js';
import { pct } from './bench/stats.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '40' },
    concurrency: { type: 'string', default: '10' },
    'kie-ms': { type: 'string', default: '3000' },
    hd: { type: 'boolean', default: false },
    'poll-ms': { type: 'string', default: '1000' },
  },
});
const jobs = Number(values.jobs);
const concurrency = Number(values.concurrency);
const kieMs = Number(values['kie-ms']);
const pollMs = Number(values['poll-ms']);

const { dataDir, config } = await benchConfig('pipeline', {
  USER_CONCURRENCY_CAP: String(jobs),
  // One user polls for every job: our own per-key limit would measure itself, not the pipeline.
  RATE_LIMIT_PER_MINUTE: '1000000',
});
const t0 = Date.now();
const stack = await startStack({
  config,
  logger: createLogger('error'),
  projectRoot: path.resolve(import.meta.dirname, '..'),
  simulator: { seed: 1, durationsMs: { veo3_fast: kieMs }, hd1080DelayMs: 1000 },
  // Production timings, except the first poll: a callback normally wakes the job long before it.
  timing: { hdRetryIntervalMs: 1000 },
});
console.log(`stack up in ${Date.now() - t0} ms (Temporal dev server, PGlite, simulator, worker, API)`);

try {
  const api = stack.apiUrl!;
  const user = (await apiCall('POST', api, '/admin/users', BENCH_ADMIN_KEY, {
    name: 'bench',
    credits: jobs * 1000,
  })) as {
    apiKey: string;
  };
  const createMs: number[] = [];
  const totalMs: number[] = [];
  const channels: Record<string, number> = {};
  const states: Record<string, number> = {};
  let next = 0;
  const started = Date.now();
  const rssSampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  let peakRss = process.memoryUsage().rss;

  const runOne = async (i: number) => {
    const t = Date.now();
    const job = (await apiCall('POST', api, '/v1/videos', user.apiKey, {
      prompt: `Benchmark clip ${i}`,
      hd: values.hd,
    })) as { id: string };
    createMs.push(Date.now() - t);
    for (;;) {
      await new Promise((r) => setTimeout(r, pollMs)); // how often each client asks GET /v1/videos/:id
      const res = await fetch(`${api}/v1/videos/${job.id}`, {
        headers: { authorization: `Bearer ${user.apiKey}` },
      });
      if (!res.ok) throw new Error(`GET /v1/videos/${job.id}: ${res.status} ${await res.text()}`);
      const view = (await res.json()) as { state: string; detection: { channel: string } | null };
      if (['succeeded', 'failed', 'canceled', 'timed_out', 'rejected'].includes(view.state)) {
        totalMs.push(Date.now() - t);
        states[view.state] = (states[view.state] ?? 0) + 1;
        const ch = view.detection?.channel ?? 'none';
        channels[ch] = (channels[ch] ?? 0) + 1;
        return;
      }
    }
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs) await runOne(next++);
    }),
  );
  clearInterval(rssSampler);
  const wall = (Date.now() - started) / 1000;
  const overhead = totalMs.map((ms) => ms - kieMs);

  console.log(
    `\n${jobs} jobs, ${concurrency} at a time, KIE generation ${kieMs} ms${values.hd ? ' + 1080p' : ''}`,
  );
  console.log(`  outcomes            ${JSON.stringify(states)}   detected by ${JSON.stringify(channels)}`);
  console.log(`  create (POST→202)   p50 ${pct(createMs, 50)} ms   p95 ${pct(createMs, 95)} ms`);
  console.log(`  end to end          p50 ${pct(totalMs, 50)} ms   p95 ${pct(totalMs, 95)} ms`);
  console.log(
    `  our overhead        p50 ${pct(overhead, 50)} ms   p95 ${pct(overhead, 95)} ms  (end to end − KIE time)`,
  );
  console.log(`  throughput          ${((jobs / wall) * 60).toFixed(1)} jobs/min over ${wall.toFixed(1)} s`);
  console.log(
    `  peak RSS            ${(peakRss / 1024 / 1024).toFixed(0)} MiB (API + worker + simulator + PGlite)`,
  );
  const stages = (await stack.metrics.stageSeconds.get()).values.filter((v) =>
    v.metricName?.endsWith('_sum'),
  );
  const counts = (await stack.metrics.stageSeconds.get()).values.filter((v) =>
    v.metricName?.endsWith('_count'),
  );
  const mean = stages
    .map((v) => {
      const n = counts.find((c) => c.labels.stage === v.labels.stage)?.value ?? 1;
      return `${v.labels.stage} ${((v.value / n) * 1000).toFixed(0)}`;
    })
    .join(', ');
  console.log(`  mean stage (ms)     ${mean}`);
  const kieCalls = (await stack.metrics.kieCalls.get()).values
    .map((v) => `${v.labels.endpoint} ${v.labels.code}: ${v.value}`)
    .join(', ');
  console.log(`  KIE calls           ${kieCalls}`);
  const invariants = await stack.ledger.checkInvariants();
  console.log(`  ledger invariants   ${invariants.length === 0 ? 'hold' : invariants.join('; ')}`);
} finally {
  await stack.close();
  await rm(dataDir, { recursive: true, force: true });
}
