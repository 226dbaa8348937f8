/**
 * `npm run cluster:faults`: the production topology (src/cluster/topology.ts) under faults. Jobs go
 * through both APIs, KIE (the simulator) calls back through the load balancer, and mid-run:
 *   1. one worker is SIGKILLed (the other must finish its jobs),
 *   2. the Temporal server is restarted,
 *   3. Postgres is restarted (ledger and Temporal's store at once; other users of that server see a
 *      brief outage too).
 * Afterwards every job must be terminal and succeeded, the ledger invariants hold, each user's credits
 * equal grants − what their jobs were charged, nothing is held, and KIE received exactly one generation
 * per job. Prints jobs/s and how long each fault took to heal; exits 1 on any violation.
 *
 *   npm run cluster:faults -- [--jobs 200] [--concurrency 40] [--workers 2] [--faults worker,temporal,postgres]
 *                             [--at 0.2,0.45,0.7] [--kie-ms 2000] [--timeout-s 420] …   (--help for all)
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { provisionClusterBinaries } from '../src/cluster/binaries.js';
import { postgresTarget } from '../src/cluster/postgres-target.js';
import { startCluster } from '../src/cluster/topology.js';
import { waitForFrontend } from '../src/cluster/temporal-cluster.js';
import { api, sleep } from './cluster-run/api.js';
import { exitOnHelp, intOption, runOptions, runOptionsHelp, usageError } from './cluster-run/args.js';
import { kieGenerations } from './cluster-run/kie-generations.js';
import { auditLedger } from './cluster-run/ledger-audit.js';
import { submitVideo } from './cluster-run/submit.js';
import { createUsers, type RunUser as User } from './cluster-run/users.js';
import { followStates } from './cluster-run/job-states.js';

const FAULTS = ['worker', 'temporal', 'postgres'] as const;
type Fault = (typeof FAULTS)[number];

const HELP = `Usage: npm run cluster:faults -- [options]
  --jobs <n>             jobs to run (default 200)
  --concurrency <n>      jobs in flight at once (default 40)
  --apis <n>, --workers <n>   processes (default 2 and 2)
  --users <n>            users the jobs are spread over (default 8)
  --faults <list>        worker,temporal,postgres (default all three; "none" = a clean throughput run)
  --at <list>            fraction of jobs finished when each fault is injected (default 0.2,0.45,0.7)
  --kie-ms <n>           the simulator's generation time (default 2000)
  --kie-rate-limit <r>   the simulator's limit, n/ms or "off" (default off: measure our side, not KIE's)
  --hd-every <n>         every n-th job asks for 1080p (default 4; 0 = none)
  --timeout-s <n>        give up (and fail) after this long (default 420)
  --db-prefix <name>     databases, dropped and re-created (default veo_faults)
  --pg-restart <cmd>     how to restart Postgres (default: pg_ctlcluster --skip-systemctl-redirect <ver> main restart)
${runOptionsHelp('CLUSTER_POSTGRES_URL', 22)}`;

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '40' },
    apis: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    users: { type: 'string', default: '8' },
    faults: { type: 'string', default: FAULTS.join(',') },
    at: { type: 'string', default: '0.2,0.45,0.7' },
    'kie-ms': { type: 'string', default: '2000' },
    'kie-rate-limit': { type: 'string', default: 'off' },
    'hd-every': { type: 'string', default: '4' },
    'timeout-s': { type: 'string', default: '420' },
    'db-prefix': { type: 'string', default: 'veo_faults' },
    'pg-restart': { type: 'string' },
    ...runOptions('CLUSTER_POSTGRES_URL'),
  },
});
exitOnHelp(values.help, HELP);
const int = intOption(HELP);
const usage = (message: string) => usageError(HELP, message);
const jobCount = int('jobs', values.jobs, 1);
const concurrency = int('concurrency', values.concurrency, 1);
const apiCount = int('apis', values.apis, 1);
const workerCount = int('workers', values.workers, 1);
const userCount = int('users', values.users, 1);
const kieMs = int('kie-ms', values['kie-ms'], 0);
const hdEvery = int('hd-every', values['hd-every'], 0);
const timeoutMs = int('timeout-s', values['timeout-s'], 10) * 1000;
const faults: Fault[] =
  values.faults === 'none'
    ? []
    : values.faults.split(',').map((f) => {
        if (!(FAULTS as readonly string[]).includes(f)) usage(`--faults: unknown fault "${f}"`);
        return f as Fault;
      });
const at = values.at.split(',').map(Number);
if (at.length < faults.length || at.some((x) => !(x > 0 && x < 1)))
  usage('--at needs one fraction in (0, 1) per fault');
if (faults.includes('worker') && workerCount < 2) usage('the worker fault needs --workers 2 or more');
const pgRestart = values['pg-restart'] ?? defaultPgRestart();

const projectRoot = path.resolve(import.meta.dirname, '..');
const log = (line: string) => console.log(line);
const violations: string[] = [];
const exec = promisify(execFile);

const binaries = await provisionClusterBinaries(projectRoot, false, (l) => console.error(l));
const dataDir = await mkdtemp(path.join(tmpdir(), 'veo-cluster-faults-'));
const target = postgresTarget(values.postgres);
const bootStarted = Date.now();
const cluster = await startCluster({
  projectRoot,
  dataDir,
  postgres: target,
  dbPrefix: values['db-prefix'],
  fresh: true,
  binaries,
  apis: apiCount,
  workers: workerCount,
  kie: { durationMs: kieMs, hd1080DelayMs: 1000, rateLimit: values['kie-rate-limit'] },
  appEnv: { RATE_LIMIT_PER_MINUTE: '1000000', USER_CONCURRENCY_CAP: String(jobCount) },
  log,
});
log(
  `cluster up in ${((Date.now() - bootStarted) / 1000).toFixed(1)} s: ${apiCount} APIs behind ${cluster.balancer.url}, ` +
    `${workerCount} workers, Temporal ${cluster.temporal.address}, logs in ${cluster.logDir}`,
);
let unexpectedExits = 0;
for (const p of cluster.processes())
  p.onUnexpectedExit((code, signal) => {
    unexpectedExits++;
    violations.push(`${p.name} exited on its own (code ${code}, signal ${signal}); see ${p.logFile}`);
    abortRun(); // a crashed part is the answer: no need to wait for the timeout
  });

// Job states are read from the ledger database (one query for all pending jobs), not by polling the API.
const pool = new pg.Pool({ connectionString: cluster.databaseUrl, max: 2 });
pool.on('error', () => undefined); // connections dropped by the Postgres restart: the next query reconnects

interface Job {
  index: number;
  id: string;
  userKey: string;
  submittedAt: number;
  finishedAt: number | null;
  state: string;
}
const jobs: Job[] = [];
const finishedAt: number[] = [];

interface FaultRecord {
  fault: Fault;
  injectedAt: number;
  /** Until the faulty part answers again (Temporal SERVING, Postgres accepting queries); 0 for a kill. */
  downMs: number;
  /** Set once the fault's action is over: only completions after it count as "first job finished". */
  recovered: boolean;
  inFlight: Set<string>;
  inFlightCount: number;
  firstCompletionMs: number | null;
  drainedMs: number | null;
}
const records: FaultRecord[] = [];
const waiters = new Map<string, () => void>();
let stopPolling = false;
let runStarted = Date.now();
let deadline = Date.now() + timeoutMs;
function abortRun(): void {
  deadline = Date.now();
  for (const resolve of waiters.values()) resolve();
  waiters.clear();
}

let exitCode = 1;
try {
  const users = await createUsers(
    cluster.apis.map((a) => a.url!),
    cluster.adminApiKey,
    userCount,
    'faults',
  );
  const started = Date.now();
  runStarted = started;
  deadline = started + timeoutMs;
  const poller = followStates(
    cluster.databaseUrl,
    jobs,
    () => stopPolling || Date.now() >= deadline,
    onJobFinished,
  );
  const faulting = injectFaults();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, jobCount) }, async () => {
      while (next < jobCount && Date.now() < deadline) {
        const i = next++;
        const job = await submit(i, users[i % users.length]!);
        if (job) await waitTerminal(job);
      }
    }),
  );
  const wallMs = Date.now() - started;
  stopPolling = true;
  await poller;
  await faulting;
  await report(wallMs, started);
  await verify(users);
  exitCode = violations.length === 0 ? 0 : 1;
} catch (err) {
  violations.push(`the run itself failed: ${(err as Error).stack ?? String(err)}`);
} finally {
  await pool.end().catch(() => undefined);
  await cluster.stop();
  if (violations.length) {
    console.log(`\nFAILED: ${violations.length} violation(s):`);
    for (const v of violations.slice(0, 40)) console.log(`  - ${v}`);
    console.log(`logs kept in ${cluster.logDir}`);
  } else {
    console.log('\nPASSED: every job succeeded, ledger and KIE agree, each fault healed.');
    if (values['keep-logs']) console.log(`logs kept in ${cluster.logDir}`);
    else await rm(dataDir, { recursive: true, force: true });
  }
}
process.exit(exitCode);

// ---------------------------------------------------------------------------------------------------

function defaultPgRestart(): string {
  try {
    const version = readdirSync('/etc/postgresql').sort().at(-1);
    if (version) return `pg_ctlcluster --skip-systemctl-redirect ${version} main restart`;
  } catch {
    // not a Debian-style install
  }
  return '';
}

/** POST /v1/videos through API (i mod n), under the faults (cluster-run/submit.ts). */
async function submit(i: number, user: User): Promise<Job | null> {
  const body = {
    prompt: `fault test clip ${i}`,
    model: 'veo3_fast',
    aspectRatio: '16:9',
    hd: hdEvery > 0 && i % hdEvery === 0,
  };
  const submittedAt = Date.now();
  const r = await submitVideo({
    base: cluster.apis[i % cluster.apis.length]!.url!,
    key: user.key,
    body,
    idempotencyKey: `faults-${i}`,
    deadline: () => deadline,
  });
  if (!r.ok) {
    violations.push(`job ${i}: ${r.error}`);
    return null;
  }
  const job: Job = { index: i, id: r.id, userKey: user.key, submittedAt, finishedAt: null, state: r.state };
  jobs.push(job);
  return job;
}

function waitTerminal(job: Job): Promise<void> {
  return new Promise((resolve) => {
    waiters.set(job.id, resolve);
    const timer = setTimeout(
      () => {
        waiters.delete(job.id);
        resolve();
      },
      Math.max(0, deadline - Date.now()),
    );
    timer.unref();
  });
}

/** Each job's end counts against the faults injected before it (first completion, drain). */
function onJobFinished(j: Job, now: number): void {
  finishedAt.push(now);
  for (const rec of records) {
    if (rec.firstCompletionMs === null && rec.recovered) rec.firstCompletionMs = now - rec.injectedAt;
    rec.inFlight.delete(j.id);
    if (rec.drainedMs === null && rec.inFlight.size === 0) rec.drainedMs = now - rec.injectedAt;
  }
  waiters.get(j.id)?.();
  waiters.delete(j.id);
}

async function injectFaults(): Promise<void> {
  for (const [k, fault] of faults.entries()) {
    const threshold = Math.ceil(at[k]! * jobCount);
    while (finishedAt.length < threshold) {
      if (Date.now() > deadline || stopPolling) return;
      await sleep(100);
    }
    const rec: FaultRecord = {
      fault,
      injectedAt: Date.now(),
      downMs: 0,
      recovered: false,
      inFlight: new Set(jobs.filter((j) => j.finishedAt === null).map((j) => j.id)),
      inFlightCount: 0,
      firstCompletionMs: null,
      drainedMs: null,
    };
    rec.inFlightCount = rec.inFlight.size;
    records.push(rec); // from now on, completions count against it (even during a restart)
    log(
      `[${elapsed()}] fault ${k + 1}: ${describe(fault)} (${finishedAt.length} done, ${rec.inFlight.size} in flight)`,
    );
    let downMs = 0;
    if (fault === 'worker') {
      await cluster.workers[0]!.process.kill();
    } else if (fault === 'temporal') {
      const t0 = Date.now();
      await cluster.temporal.restart();
      downMs = Date.now() - t0;
    } else {
      const t0 = Date.now();
      if (!pgRestart) throw new Error('no way to restart Postgres here: pass --pg-restart "<command>"');
      await exec('/bin/sh', ['-c', pgRestart], { timeout: 60_000 });
      await waitForPostgres();
      downMs = Date.now() - t0;
      // Temporal keeps running through it: it must answer again on its own.
      await waitForFrontend(cluster.temporal.address, cluster.temporal.process);
    }
    rec.downMs = downMs;
    rec.recovered = true;
    if (rec.inFlight.size === 0) rec.drainedMs ??= Date.now() - rec.injectedAt;
    log(`[${elapsed()}]   ${fault}: ${downMs ? `back after ${(downMs / 1000).toFixed(1)} s` : 'done'}`);
  }
}

function describe(f: Fault): string {
  return {
    worker: `SIGKILL ${cluster.workers[0]!.process.name}`,
    temporal: 'restart the Temporal server',
    postgres: `restart Postgres (${pgRestart})`,
  }[f];
}

async function waitForPostgres(): Promise<void> {
  while (Date.now() < deadline) {
    try {
      await pool.query('select 1');
      return;
    } catch {
      await sleep(200);
    }
  }
  throw new Error('Postgres did not come back');
}

function elapsed(): string {
  return `${((Date.now() - runStarted) / 1000).toFixed(1)} s`;
}

async function report(wallMs: number, started: number): Promise<void> {
  const done = jobs.filter((j) => j.finishedAt !== null);
  const states: Record<string, number> = {};
  for (const j of jobs) states[j.state] = (states[j.state] ?? 0) + 1;
  const firstFault = records[0]?.injectedAt ?? Infinity;
  const before = done.filter((j) => j.finishedAt! < firstFault);
  const steadyMs = (Math.min(firstFault, Date.now()) - started) / 1000;
  const e2e = done.map((j) => j.finishedAt! - j.submittedAt).sort((a, b) => a - b);
  const pct = (p: number) => e2e[Math.min(e2e.length - 1, Math.floor((p / 100) * e2e.length))] ?? 0;

  console.log(
    `\n${jobCount} jobs, ${concurrency} in flight, KIE ${kieMs} ms per video (rate limit ${values['kie-rate-limit']})`,
  );
  console.log(`  outcomes          ${JSON.stringify(states)}`);
  console.log(
    `  throughput        ${(done.length / (wallMs / 1000)).toFixed(2)} jobs/s over ${(wallMs / 1000).toFixed(1)} s${records.length ? ', faults included' : ''}`,
  );
  if (records.length && before.length)
    console.log(
      `  before faults     ${(before.length / steadyMs).toFixed(2)} jobs/s with ${workerCount} workers ` +
        `(≈ ${(before.length / steadyMs / workerCount).toFixed(2)} jobs/s per worker)`,
    );
  else if (!records.length)
    console.log(
      `  per worker        ≈ ${(done.length / (wallMs / 1000) / workerCount).toFixed(2)} jobs/s (${workerCount} worker${workerCount > 1 ? 's' : ''})`,
    );
  console.log(
    `  end to end        p50 ${(pct(50) / 1000).toFixed(1)} s, p95 ${(pct(95) / 1000).toFixed(1)} s, max ${(pct(100) / 1000).toFixed(1)} s`,
  );
  for (const r of records) {
    const s = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);
    console.log(
      `  heal: ${r.fault.padEnd(9)} down ${s(r.downMs)}, first job finished ${s(r.firstCompletionMs)} after the fault, ` +
        `the ${r.inFlightCount} jobs in flight at the fault all done after ${s(r.drainedMs)}`,
    );
    if (r.drainedMs === null) violations.push(`${r.fault}: jobs in flight at the fault never finished`);
  }
}

async function verify(users: User[]): Promise<void> {
  // 1. Every job accepted, terminal and succeeded (faults must cost time, not jobs); through the APIs.
  if (jobs.length !== jobCount) violations.push(`${jobCount - jobs.length} job(s) never accepted`);
  const charged = new Map<string, number>();
  const taskOfJob = new Map<string, string>();
  const channels: Record<string, number> = {};
  for (const j of jobs) {
    const base = cluster.apis[j.index % cluster.apis.length]!.url!;
    const r = await api(base, 'GET', `/v1/videos/${j.id}`, j.userKey);
    const v = r.json as {
      state: string;
      charged: number | null;
      kieTaskId: string | null;
      detection: { channel: string } | null;
      error: unknown;
    };
    if (r.status !== 200) {
      violations.push(`job ${j.index} (${j.id}): GET answered ${r.status}`);
      continue;
    }
    if (v.state !== 'succeeded')
      violations.push(`job ${j.index} (${j.id}) ended ${v.state}: ${JSON.stringify(v.error)}`);
    charged.set(j.userKey, (charged.get(j.userKey) ?? 0) + (v.charged ?? 0));
    if (v.kieTaskId) taskOfJob.set(`fault test clip ${j.index}`, v.kieTaskId);
    const ch = v.detection?.channel ?? 'none';
    channels[ch] = (channels[ch] ?? 0) + 1;
  }
  console.log(`  detected by       ${JSON.stringify(channels)}`);

  // 2. The ledger's invariants, re-derived from its entries.
  const broken = (await auditLedger(cluster.databaseUrl)).violations;
  for (const b of broken) violations.push(`ledger: ${b}`);
  console.log(`  ledger invariants ${broken.length === 0 ? 'hold' : `${broken.length} violated`}`);

  // 3. No credit lost or moved twice: balance = grant − what the user's jobs were charged, none held.
  let creditsOk = true;
  for (const u of users) {
    const r = await api(cluster.balancer.url, 'GET', '/v1/credits', u.key);
    const b = r.json as { balance: number; held: number };
    const expected = u.granted - (charged.get(u.key) ?? 0);
    if (r.status !== 200 || b.balance !== expected || b.held !== 0) {
      creditsOk = false;
      violations.push(`user ${u.id}: balance ${b.balance} held ${b.held}, expected ${expected} held 0`);
    }
  }
  console.log(
    `  credits           ${creditsOk ? 'every balance = grants − charges, nothing held' : 'MISMATCH'}`,
  );

  // 4. KIE received exactly one generation per job, and it is the one the job recorded.
  const { byPrompt, total } = await kieGenerations(cluster.simulator.url);
  let kieOk = true;
  for (const [prompt, ids] of byPrompt) {
    if (ids.length > 1) {
      kieOk = false;
      violations.push(`KIE got "${prompt}" ${ids.length} times: ${ids.join(', ')}`);
    } else if (taskOfJob.get(prompt) !== ids[0]) {
      kieOk = false;
      violations.push(
        `KIE task ${ids[0]} for "${prompt}" is not the one its job recorded (${taskOfJob.get(prompt)})`,
      );
    }
  }
  if (total !== jobs.length) {
    kieOk = false;
    violations.push(`KIE received ${total} generations for ${jobs.length} jobs`);
  }
  console.log(
    `  KIE generations   ${total} for ${jobs.length} jobs${kieOk ? ', none twice' : ' — MISMATCH'}`,
  );

  // 5. Callbacks reached every API through the load balancer (PUBLIC_BASE_URL).
  const perApi: string[] = [];
  for (const a of cluster.apis) {
    const text = await (await fetch(`${a.url}/metrics`)).text();
    const counts = [...text.matchAll(/veo_webhooks_total\{outcome="([^"]+)"\} (\d+)/g)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    perApi.push(`${a.process.name}: ${counts.join(', ') || 'none'}`);
  }
  console.log(`  callbacks per API ${perApi.join('; ')}`);

  // 6. Everything that should still run does (the killed worker excepted).
  const killed = faults.includes('worker') ? cluster.workers[0]!.process : null;
  for (const p of cluster.processes())
    if (p !== killed && !p.running()) violations.push(`${p.name} is not running`);
  if (unexpectedExits === 0)
    console.log(`  processes         all up${killed ? ` (except ${killed.name}, killed)` : ''}`);
}
