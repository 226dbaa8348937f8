/**
 * How fast jobs start, against the floor of the same Temporal server in the same run (measured, not
 * asserted). One embedded dev server, the `npm start` assembly (API, worker, PGlite, simulator):
 * 1. floor: plain `workflow.start` of a trivial workflow whose first task completes it;
 * 2. Temporal's part of ours alone: the start a create makes (generateVideo, same options and input)
 *    on a worker of our workflows, without HTTP or the ledger; its generate call waits on a queue no
 *    worker polls, as a job's waits for KIE's window;
 * 3. ours: `POST /v1/videos` over HTTP, credits held, KIE slower than the run; the clients are
 *    remote, so the load generator is a process of its own (scripts/bench/http-load.ts). Under the
 *    burst most creates are answered before their workflow's start (src/services/job-starts.ts):
 *    the phase's rate is the 202s', and the rate at which their workflows were started (until the
 *    last one) is printed beside it; its CPU and database requests include those starts;
 * 4. what those jobs cost the two processes while they wait and nobody creates (10 s), and the
 *    server's busiest kinds of database request meanwhile;
 * 5. the floor again, on the server as the run left it (its state grows phase by phase);
 * 6. with --burn S, Temporal's part again beside a process that burns S of a core;
 * 7. with --in-process, ours without HTTP: the create's hold and start (startVideoJob) called in this
 *    process, for a user of its own, on our task queue: what HTTP adds, against what the ledger adds;
 * each N starts, C at a time, after a warm-up; each phase begins once the previous phase's first
 * workflow tasks are all done, so none runs in another's window. Prints the rates, the ratio, the
 * percentiles, how many of the phase's first tasks were done while its starts went on, CPU (the load
 * generator's too) and the server's database requests (its own counters) per start while they ran,
 * and per job the Temporal work until `generating` (history events, workflow tasks, activity tasks).
 *
 *   npm run bench:starts -- [--jobs 1000] [--concurrency 32] [--warmup 100] [--burn 0.6] [--database-url postgres://…]
 *                           [--api-key-cache-seconds 0] [--in-process]
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createLogger } from '../src/observability/logger.js';
import { apiCall, BENCH_ADMIN_KEY, benchConfig } from './bench/harness.js';
import { httpLoad } from './bench/http-load.js';
import { startStack } from '../src/runtime/stack.js';
import { freePort } from '../src/temporal/dev-server.js';
import { CreateVideoBody } from '../src/api/schemas.js';
import { kieCreditsOf, priceOf } from '../src/services/pricing.js';
import { generateVideoStartOptions, newJobId, startVideoJob } from '../src/services/video-jobs.js';
import { workflowsPath } from '../src/worker/workflow-bundle.js';
import { videoWorkflowId, type GenerateVideoInput } from '../src/workflows/job-types.js';
import { ALL_PATCHES_MARKER } from '../src/workflows/generate-video.js';
import { VideoUserId } from '../src/workflows/search-attributes.js';
import { workflowType } from '../src/workflows/refs.js';
import { startCpuBurner } from './bench/cpu-burner.js';
import { busiestPerSecond, databaseRequests, databaseRequestsByOperation } from './bench/server-metrics.js';
import { waitFor } from '../test/support/wait-for.js';
import { cpuSecondsOf, mib, pct, pidOf, runConcurrently } from './bench/stats.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '100' },
    // Also Temporal's part again beside a process burning this share of a core (e.g. 0.6, about
    // what our process uses during its starts): what sharing the cores costs the server alone.
    burn: { type: 'string' },
    // The ledger on a Postgres server instead of the embedded PGlite.
    'database-url': { type: 'string' },
    // API_KEY_CACHE_SECONDS of the API (default: the config's): 0 looks the key up on every create.
    'api-key-cache-seconds': { type: 'string' },
    // JOB_START_BACKLOG of the API (default: the config's): 0 has every create wait for its start.
    'job-start-backlog': { type: 'string' },
    // Also ours without HTTP (phase 7), measured last.
    'in-process': { type: 'boolean', default: false },
  },
});
const n = Number(values.jobs);
/** How long the idle cost of the jobs ours left waiting is measured. */
const IDLE_MS = 10_000;
const concurrency = Number(values.concurrency);
const warmup = Number(values.warmup);

const { dataDir, config } = await benchConfig('starts', {
  USER_CONCURRENCY_CAP: String(2 * (n + warmup)),
  RATE_LIMIT_PER_MINUTE: '1000000',
  ...(values['database-url'] ? { DATABASE_URL: values['database-url'] } : {}),
  ...(values['api-key-cache-seconds'] ? { API_KEY_CACHE_SECONDS: values['api-key-cache-seconds'] } : {}),
  ...(values['job-start-backlog'] ? { JOB_START_BACKLOG: values['job-start-backlog'] } : {}),
});
const metricsPort = await freePort();
const stack = await startStack({
  config,
  logger: createLogger('error'),
  projectRoot: path.resolve(import.meta.dirname, '..'),
  devServerMetricsPort: metricsPort,
  // KIE slower than the run: no job finishes while starts are measured.
  simulator: { seed: 1, durationsMs: { veo3_fast: 30 * 60_000 } },
});

try {
  const client = stack.temporal.client;
  console.log(
    `${n} starts, ${concurrency} at a time, after ${warmup} to warm up; one embedded Temporal dev server; ledger on ${stack.db.kind}`,
  );

  const serverPid = pidOf(dataDir);
  const cpu = () => ({ server: serverPid ? cpuSecondsOf(serverPid) : NaN, ours: process.cpuUsage() });
  /**
   * One phase: `warmup` calls, then N measured ones, with the CPU they cost each process per start.
   * `batch(count, from)` makes `count` calls, numbered from `from`: here, or in another process.
   * `firstTasksDone()` counts the phase's workflows whose first workflow task has completed. A first
   * task costs the server about what a start does, and a worker gets some of them done while the
   * starts go on: how many is printed, and the phase waits for the rest before the next one begins,
   * so no phase's first tasks run in another's window.
   */
  const measure = async <R extends { latencies: number[]; seconds: number }>(
    batch: (count: number, from: number) => Promise<R>,
    firstTasksDone: () => Promise<number>,
    allStarted: () => Promise<void> = async () => undefined,
  ) => {
    await batch(warmup, 0);
    await allStarted();
    await untilDone(firstTasksDone, warmup);
    const from = cpu();
    const requestsBefore = await databaseRequests(metricsPort);
    const began = performance.now();
    const run = await batch(n, warmup);
    // Creates answered before their start (job-starts.ts): the cost and the start rate include those
    // starts, made after the last answer.
    await allStarted();
    const startedSeconds = (performance.now() - began) / 1000;
    const used = process.cpuUsage(from.ours);
    const ours = (used.user + used.system) / 1e6;
    const requests = ((await databaseRequests(metricsPort)) - requestsBefore) / n;
    const cost = `Temporal server ${(((cpu().server - from.server) / n) * 1000).toFixed(1)} ms, our process ${((ours / n) * 1000).toFixed(1)} ms CPU per start; ${requests.toFixed(1)} server database requests`;
    const firstTasksMeanwhile = ((await firstTasksDone()) - warmup) / n;
    await untilDone(firstTasksDone, warmup + n);
    return { ...run, rate: n / run.seconds, startRate: n / startedSeconds, cost, firstTasksMeanwhile };
  };
  /** Until `done()` (a visibility count) reaches `count`: the same polling in every phase. */
  const untilDone = (done: () => Promise<number>, count: number) =>
    waitFor(`${count} first tasks`, async () => ((await done()) >= count ? true : undefined), 300_000, 100);
  const countOf = (query: string) => async () => (await client.workflow.count(query)).count;
  /** A job's first workflow task records the version marker, which upserts TemporalChangeVersion. */
  const jobsPastFirstTask = (taskQueue: string) =>
    countOf(`TaskQueue="${taskQueue}" AND TemporalChangeVersion="${ALL_PATCHES_MARKER}"`);

  /** A worker of its own on `taskQueue` while `body` runs. */
  const withWorker = async <T>(
    options: { taskQueue: string; workflowsPath: string; maxCachedWorkflows?: number },
    body: () => Promise<T>,
  ): Promise<T> => {
    const connection = await NativeConnection.connect({ address: stack.temporal.address });
    const worker = await Worker.create({ connection, ...options });
    const running = worker.run();
    try {
      return await body();
    } finally {
      worker.shutdown();
      await running;
      await connection.close();
    }
  };

  /** The job every phase of ours asks for, as the load generator's `POST` does (numbered prompts). */
  const benchRequest = (i: number) =>
    CreateVideoBody.parse({ model: 'veo3_fast', prompt: `Benchmark clip ${i}` });
  /** A user with credits for every create of a phase, warm-up included. */
  const benchUser = async (name: string) =>
    (await apiCall('POST', stack.apiUrl!, '/admin/users', BENCH_ADMIN_KEY, {
      name,
      credits: (n + warmup) * config.prices.veo3_fast,
    })) as { id: string; apiKey: string };

  // 1. The floor; measured again after ours (5.), as the server's state grows through the run.
  const measureFloor = (floorQueue: string) =>
    withWorker(
      {
        taskQueue: floorQueue,
        workflowsPath: path.resolve(import.meta.dirname, 'bench/trivial-workflow.ts'),
      },
      () =>
        measure(
          (count) =>
            runConcurrently(count, concurrency, async () => {
              await client.workflow.start('benchTrivial', {
                taskQueue: floorQueue,
                workflowId: `floor-${randomUUID()}`,
              });
            }),
          // The trivial workflow's first task completes it.
          countOf(`TaskQueue="${floorQueue}" AND ExecutionStatus="Completed"`),
        ),
    );
  const floor = await measureFloor('bench-floor');

  // 2. Temporal's part of a job start alone.
  const measurePart = (partQueue: string) =>
    withWorker(
      { taskQueue: partQueue, workflowsPath, maxCachedWorkflows: config.env.WORKER_MAX_CACHED_WORKFLOWS },
      () =>
        measure(
          (count) =>
            runConcurrently(count, concurrency, async (i) => {
              const request = benchRequest(i);
              const input: GenerateVideoInput = {
                jobId: newJobId('usr_bench'),
                userId: 'usr_bench',
                request,
                price: priceOf(config.prices, request).price,
                heldByApi: true,
              };
              await client.workflow.start(
                workflowType('generateVideo'),
                generateVideoStartOptions(partQueue, input),
              );
            }),
          jobsPastFirstTask(partQueue),
        ),
    );
  const part = await measurePart('bench-temporal-part');

  // 3. Our job starts, over HTTP.
  const api = stack.apiUrl!;
  const user = await benchUser('bench');
  const jobStarts = stack.jobStarts!;
  // The clients are remote: their side of each request runs in a process of its own.
  const ours = await measure(
    (count, from) => httpLoad({ api, apiKey: user.apiKey, n: count, concurrency, from }),
    jobsPastFirstTask(config.env.TEMPORAL_TASK_QUEUE),
    () => jobStarts.drain(),
  );

  // 4. What our jobs cost while they wait and nobody creates: KIE's window still lets 20 through per
  // 10 s, and those go on (submit, callbacks, polls). This runs during ours too, on the same cores.
  const idleFrom = cpu();
  const idleRequestsFrom = await databaseRequestsByOperation(metricsPort);
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idleUsed = process.cpuUsage(idleFrom.ours);
  const idle = {
    server: (cpu().server - idleFrom.server) / (IDLE_MS / 1000),
    ours: (idleUsed.user + idleUsed.system) / 1e6 / (IDLE_MS / 1000),
    // What that background is made of, in the server's database work.
    requests: busiestPerSecond(
      idleRequestsFrom,
      await databaseRequestsByOperation(metricsPort),
      IDLE_MS / 1000,
      4,
    ),
  };

  // 5. The floor again, on the server as ours left it.
  const floorAfter = await measureFloor('bench-floor-after');

  // 6. Optionally, Temporal's part again with a CPU burner beside it.
  const burnShare = values.burn === undefined ? null : Number(values.burn);
  const burner = burnShare === null ? null : startCpuBurner(burnShare);
  const partBurned = burner
    ? await measurePart('bench-temporal-part-burner').finally(() => burner.stop())
    : null;

  // 7. Optionally, ours without HTTP: the hold and the start of a create, called here. Its own user, so
  // its jobs' first tasks are counted apart from ours' on the same task queue.
  const measureInProcess = async () => {
    const own = await benchUser('bench-in-process');
    return measure(
      (count, from) =>
        runConcurrently(count, concurrency, async (i) => {
          const request = benchRequest(from + i);
          const started = await startVideoJob(client, config.env.TEMPORAL_TASK_QUEUE, stack.ledger, {
            userId: own.id,
            request,
            ...priceOf(config.prices, request),
            kieCredits: kieCreditsOf(config.prices, request),
          });
          if (!started.reservation.ok) throw new Error(`not held: ${started.reservation.message}`);
        }),
      countOf(`${VideoUserId.name}="${own.id}" AND TemporalChangeVersion="${ALL_PATCHES_MARKER}"`),
    );
  };
  const inProcess = values['in-process'] ? await measureInProcess() : null;

  const row = (label: string, text: string) => console.log(`  ${label.padEnd(39)}${text}`);
  const rates = (run: { rate: number; latencies: number[]; firstTasksMeanwhile: number }) =>
    `${run.rate.toFixed(1)} /s   p50 ${ms(pct(run.latencies, 50))}  p95 ${ms(pct(run.latencies, 95))}  p99 ${ms(pct(run.latencies, 99))}   first tasks done meanwhile ${(run.firstTasksMeanwhile * 100).toFixed(0)} %`;
  console.log('');
  row('floor (plain start, trivial workflow)', rates(floor));
  row("Temporal's part (no HTTP, no ledger)", rates(part));
  row('our job starts (POST→202, held)', rates(ours));
  row(
    '  their workflows started',
    `${ours.startRate.toFixed(1)} /s   (the last ${((n / ours.startRate - n / ours.rate) * 1000).toFixed(0)} ms after the last 202; JOB_START_BACKLOG ${config.env.JOB_START_BACKLOG})`,
  );
  row('floor again, after ours', rates(floorAfter));
  if (partBurned) row(`Temporal's part, ${burnShare} core burned`, rates(partBurned));
  if (inProcess) row('ours without HTTP (hold + start, here)', rates(inProcess));
  row('floor cost', floor.cost);
  row("Temporal's part cost", part.cost);
  row('our cost', ours.cost);
  row(
    `idle, ${n + warmup} jobs waiting (${IDLE_MS / 1000} s)`,
    `Temporal server ${idle.server.toFixed(2)} core, our process ${idle.ours.toFixed(2)} core: ${((idle.ours / ours.rate) * 1000).toFixed(1)} ms of ours per start at its rate`,
  );
  row('idle, server database requests /s', idle.requests);
  if (partBurned) row(`Temporal's part cost, ${burnShare} burned`, partBurned.cost);
  if (inProcess) row('ours without HTTP cost', inProcess.cost);
  // The clients' side of the creates: not ours, but it runs on the same two cores.
  row('the load generator', `${((ours.cpuSeconds / n) * 1000).toFixed(1)} ms CPU per start`);
  row("Temporal's part / floor", (part.rate / floor.rate).toFixed(2));
  // It runs last, on the server as the run left it: the floor after ours is the one measured nearest it.
  if (partBurned)
    row(
      `the same, ${burnShare} core burned`,
      `${(partBurned.rate / floor.rate).toFixed(2)}  (to the floor after ours ${(partBurned.rate / floorAfter.rate).toFixed(2)})`,
    );
  row('ratio', `${(ours.rate / floor.rate).toFixed(2)}  (target ≥ 0.8; p99 target ≤ 1 s)`);
  row('ratio to the floor after ours', (ours.rate / floorAfter.rate).toFixed(2));
  row('workflows started / floor', (ours.startRate / floor.rate).toFixed(2));
  // It runs last: the floor after ours is the one measured nearest it.
  if (inProcess)
    row(
      'ours without HTTP / floor',
      `${(inProcess.rate / floor.rate).toFixed(2)}  (to the floor after ours ${(inProcess.rate / floorAfter.rate).toFixed(2)})`,
    );

  // 8. Temporal's work per job until `generating`: KIE's window lets 20 through per 10 s, so the
  // first measured jobs get there while the rest wait (queued) in Temporal's backlog.
  const sample = ours.jobIds.slice(0, 5);
  const work: Array<{
    events: number;
    workflowTasks: number;
    activityTasks: number;
    localActivities: number;
  }> = [];
  for (const jobId of sample) {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const history = await client.workflow.getHandle(videoWorkflowId(jobId)).fetchHistory();
      const events = history.events ?? [];
      const until = events.findIndex((e) => e.timerStartedEventAttributes); // the wait for KIE's result
      if (until >= 0) {
        const head = events.slice(0, until + 1);
        work.push({
          events: head.length,
          workflowTasks: head.filter((e) => e.workflowTaskCompletedEventAttributes).length,
          activityTasks: head.filter((e) => e.activityTaskScheduledEventAttributes).length,
          localActivities: head.filter(
            (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
          ).length,
        });
        break;
      }
      if (Date.now() > deadline) throw new Error(`${jobId} did not reach generating`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const avg = (k: keyof (typeof work)[number]) =>
    (work.reduce((s, w) => s + w[k], 0) / work.length).toFixed(1);
  row(
    'per job until generating',
    `${avg('events')} history events, ${avg('workflowTasks')} workflow tasks, ${avg('activityTasks')} activity tasks (+ ${avg('localActivities')} local activities)   [${work.length} jobs]`,
  );
  const held = await stack.ledger.balance(
    (await stack.db.query<{ id: string }>(`select id from users where name = 'bench'`))[0]!.id,
  );
  row('credits held', `${held.held} for ${n + warmup} jobs`);
  row('process RSS', mib(process.memoryUsage().rss));
  const invariants = await stack.ledger.checkInvariants();
  row('ledger invariants', invariants.length === 0 ? 'hold' : invariants.join('; '));
} finally {
  await stack.close();
  await rm(dataDir, { recursive: true, force: true });
}

function ms(v: number): string {
  return `${Math.round(v)} ms`;
}
