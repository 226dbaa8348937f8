/**
 * `npm run chaos`: many jobs through the local cluster (src/cluster/topology.ts with the Temporal dev
 * server: one API, two workers, the KIE simulator, the ledger on Postgres) while everything goes wrong
 * at once — the simulator drops 30 % of callbacks, duplicates 30 %, fails 10 % of generations and
 * answers bursts of 5xx and 429; a worker is SIGKILLed every 20 s (and restarted), the Temporal server
 * restarted once, 10 workflows terminated with the real CLI, 20 jobs canceled (scripts/chaos/fault-loop.ts).
 * Then (scripts/chaos/verify.ts) it prints: jobs terminal (all), open holds (0), credits lost or moved
 * twice (0), KIE generations per job (≤ 1), and the time to drain (last fault → last job terminal).
 * Exits 1 on any violation.
 *
 *   npm run chaos -- [--jobs 1000] [--concurrency 100] [--kill-every-s 20] [--seed 1] …   (--help for all)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { postgresTarget } from '../src/cluster/postgres-target.js';
import { startCluster } from '../src/cluster/topology.js';
import { parseMixSpec } from '../src/kie-sim/fault-mix.js';
import { createRandom } from '../src/kie-sim/prng.js';
import { provisionTemporalCli } from '../src/temporal/cli-provision.js';
import { sleep } from './cluster-run/api.js';
import { exitOnHelp, intOption, runOptions, runOptionsHelp, usageError } from './cluster-run/args.js';
import { submitVideo } from './cluster-run/submit.js';
import { createUsers } from './cluster-run/users.js';
import { runFaultLoop, type FaultTally } from './chaos/fault-loop.js';
import { inFlight, type ChaosJob } from './chaos/jobs.js';
import { followStates } from './cluster-run/job-states.js';
import { verifyRun } from './chaos/verify.js';

const HELP = `Usage: npm run chaos -- [options]
  --jobs <n>               jobs (default 1000)
  --concurrency <n>        jobs in flight at once (default 100)
  --users <n>              users the jobs are spread over (default 10)
  --kie-ms <n>             the simulator's generation time (default 2000)
  --mix <spec>             the simulator's per-task faults (default callbackDrop=0.3,callbackDuplicate=0.3,failure=0.1)
  --hd-every <n>           every n-th job asks for 1080p (default 10; 0 = none)
  --kill-every-s <n>       SIGKILL a worker this often while jobs are submitted (default 20)
  --max-kills <n>          at most this many worker kills (default: no limit; each delays the jobs
                           it cut off by up to the activities' timeouts, 1–2 min)
  --temporal-restart-at <f>  restart Temporal when this fraction of the jobs is submitted (default 0.5; 0 = never)
  --terminate <n>          workflows terminated with the Temporal CLI (default 10)
  --cancel <n>             jobs canceled through the API (default 20)
  --burst-every-s <n>      a burst of 5xx or 429 from KIE this often (default 10)
  --reconcile-every-s <n>  the reconciler's sweep period (default 5)
  --seed <n>               the simulator's and the chaos's PRNG seed (default 1)
  --timeout-s <n>          give up (and fail) after this long (default 1800)
  --db <name>              the ledger database, dropped and re-created (default veo_chaos)
${runOptionsHelp('CHAOS_POSTGRES_URL', 24)}`;

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '100' },
    users: { type: 'string', default: '10' },
    'kie-ms': { type: 'string', default: '2000' },
    mix: { type: 'string', default: 'callbackDrop=0.3,callbackDuplicate=0.3,failure=0.1' },
    'hd-every': { type: 'string', default: '10' },
    'kill-every-s': { type: 'string', default: '20' },
    'max-kills': { type: 'string', default: String(Number.MAX_SAFE_INTEGER) },
    'temporal-restart-at': { type: 'string', default: '0.5' },
    terminate: { type: 'string', default: '10' },
    cancel: { type: 'string', default: '20' },
    'burst-every-s': { type: 'string', default: '10' },
    'reconcile-every-s': { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    'timeout-s': { type: 'string', default: '1800' },
    db: { type: 'string', default: 'veo_chaos' },
    ...runOptions('CHAOS_POSTGRES_URL'),
  },
});
exitOnHelp(values.help, HELP);
const int = intOption(HELP);
const jobCount = int('jobs', values.jobs, 1);
const concurrency = int('concurrency', values.concurrency, 1);
const userCount = int('users', values.users, 1);
const hdEvery = int('hd-every', values['hd-every'], 0);
const seed = int('seed', values.seed, 0);
const timeoutMs = int('timeout-s', values['timeout-s'], 10) * 1000;
const restartAt = Number(values['temporal-restart-at']);
if (!(restartAt >= 0 && restartAt < 1)) usageError(HELP, '--temporal-restart-at must be in [0, 1)');
const mix = parseMixSpec(values.mix);
if (typeof mix === 'string') usageError(HELP, `--mix: ${mix}`);
const plan = {
  killEveryMs: int('kill-every-s', values['kill-every-s'], 1) * 1000,
  maxKills: int('max-kills', values['max-kills'], 0),
  restartAtFraction: restartAt,
  terminations: int('terminate', values.terminate, 0),
  cancels: int('cancel', values.cancel, 0),
  burstEveryMs: int('burst-every-s', values['burst-every-s'], 1) * 1000,
  mix,
};

const projectRoot = path.resolve(import.meta.dirname, '..');
const log = (line: string) => console.log(line);
const namespace = 'default';
const cli = await provisionTemporalCli({ projectRoot, log: (l) => console.error(l) });
const dataDir = await mkdtemp(path.join(tmpdir(), 'veo-chaos-'));
const bootStarted = Date.now();
const cluster = await startCluster({
  projectRoot,
  dataDir,
  postgres: postgresTarget(values.postgres),
  dbPrefix: values.db,
  fresh: true,
  temporal: 'dev-server',
  namespace,
  binaries: { cli: cli.path },
  apis: 1,
  workers: 2,
  kie: {
    durationMs: int('kie-ms', values['kie-ms'], 0),
    hd1080DelayMs: 1000,
    rateLimit: 'off',
    faultMix: values.mix,
    seed,
  },
  appEnv: {
    RATE_LIMIT_PER_MINUTE: '1000000',
    USER_CONCURRENCY_CAP: String(jobCount),
    // Our own pacing of KIE: out of the way, the run is about faults, not KIE's account limit.
    KIE_GENERATIONS_PER_10S: '1000',
    // Terminated workflows are settled by the reconciler: sweep often so the run drains quickly.
    RECONCILE_EVERY_MS: String(int('reconcile-every-s', values['reconcile-every-s'], 1) * 1000),
    RECONCILE_GRACE_MS: '30000',
    // KIE takes seconds here, not minutes: a job whose submit was cut off by a kill and whose callback
    // the simulator then drops waits this long for it (docs/kie-api.md#ambiguous-submit), not 30 min.
    KIE_GENERATION_DEADLINE_S: '300',
  },
  log,
});
const apiUrl = cluster.apis[0]!.url!;
log(
  `cluster up in ${((Date.now() - bootStarted) / 1000).toFixed(1)} s: API ${apiUrl}, 2 workers, ` +
    `Temporal dev server ${cluster.temporal.address}, simulator ${cluster.simulator.url}, logs in ${cluster.logDir}`,
);

const violations: string[] = [];
let deadline = Date.now() + timeoutMs;
const abort = () => (deadline = Date.now());
for (const p of cluster.processes())
  p.onUnexpectedExit((code, signal) => {
    violations.push(`${p.name} exited on its own (code ${code}, signal ${signal}); see ${p.logFile}`);
    abort();
  });

const jobs: ChaosJob[] = [];
let exitCode = 1;
let following = true;
try {
  const users = await createUsers([apiUrl], cluster.adminApiKey, userCount, 'chaos');
  const started = Date.now();
  deadline = started + timeoutMs;
  let next = 0;
  let submitted = 0;
  const follower = followStates(cluster.databaseUrl, jobs, () => !following);
  const faults = runFaultLoop(plan, {
    cluster,
    cliPath: cli.path,
    namespace,
    jobs,
    submittedFraction: () => submitted / jobCount,
    rng: createRandom(seed ^ 0x2545f491),
    log,
    aborted: () => Date.now() >= deadline,
  });
  // A fault that could not be injected ends the run (the error is reported when awaited below).
  faults.catch(abort);
  await Promise.all(
    Array.from({ length: Math.min(concurrency, jobCount) }, async () => {
      while (next < jobCount && Date.now() < deadline) {
        const i = next++;
        const user = users[i % users.length]!;
        const prompt = `chaos clip ${i} (seed ${seed})`;
        const body = {
          prompt,
          model: 'veo3_fast',
          aspectRatio: '16:9',
          hd: hdEvery > 0 && i % hdEvery === 0,
        };
        const r = await submitVideo({
          base: apiUrl,
          key: user.key,
          body,
          idempotencyKey: `chaos-${seed}-${i}`,
          deadline: () => deadline,
        });
        submitted++;
        if (!r.ok) {
          violations.push(`job ${i}: ${r.error}`);
          continue;
        }
        const job: ChaosJob = {
          index: i,
          id: r.id,
          prompt,
          user,
          state: r.state,
          finishedAt: null,
          terminated: false,
          cancelRequested: false,
        };
        jobs.push(job);
        while (job.finishedAt === null && Date.now() < deadline) await sleep(200);
      }
    }),
  );
  const tally = await faults;
  while (inFlight(jobs).length && Date.now() < deadline) await sleep(250);
  following = false;
  await follower;
  const lastTerminal = Math.max(0, ...jobs.map((j) => j.finishedAt ?? 0));

  const verdict = await verifyRun({
    apiUrl,
    simulatorUrl: cluster.simulator.url,
    databaseUrl: cluster.databaseUrl,
    jobs,
    expectedJobs: jobCount,
    users,
  });
  violations.push(...tally.missed.map((m) => `chaos: ${m}`), ...verdict.violations);
  for (const p of cluster.processes())
    if (!p.running()) violations.push(`${p.name} is not running at the end`);
  printReport(tally, started, lastTerminal, verdict.lines);
  exitCode = violations.length === 0 ? 0 : 1;
} catch (err) {
  violations.push(`the run itself failed: ${(err as Error).stack ?? String(err)}`);
} finally {
  following = false;
  await cluster.stop();
  if (violations.length) {
    console.log(`\nFAILED: ${violations.length} violation(s):`);
    for (const v of violations.slice(0, 40)) console.log(`  - ${v}`);
    console.log(`logs kept in ${cluster.logDir}`);
  } else {
    console.log(
      '\nPASSED: every job terminal, nothing held, no credit lost or moved twice, no job generated twice.',
    );
    if (values['keep-logs']) console.log(`logs kept in ${cluster.logDir}`);
    else await rm(dataDir, { recursive: true, force: true });
  }
}
process.exit(exitCode);

function printReport(tally: FaultTally, started: number, lastTerminal: number, lines: string[]): void {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `\nchaos: ${jobCount} jobs, ${concurrency} in flight, KIE ${values['kie-ms']} ms, mix ${values.mix}, seed ${seed}`,
  );
  console.log(
    `faults injected        ${tally.workerKills} worker SIGKILLs, ${tally.temporalRestarts} Temporal restart ` +
      `(down ${s(tally.temporalDownMs)}), ${tally.terminated} workflows terminated, ${tally.canceled} cancels, ` +
      `${tally.bursts['5xx']} 5xx + ${tally.bursts['429']} 429 bursts`,
  );
  for (const line of lines) console.log(line);
  console.log(
    `time to drain          ${s(Math.max(0, lastTerminal - tally.endedAt))} after the last fault ` +
      `(run ${s(lastTerminal - started)} in all)`,
  );
}
