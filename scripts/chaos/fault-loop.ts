/**
 * The faults of a chaos run, injected from a single loop (at most one worker down at once, and
 * Temporal never restarted while a worker is starting):
 *   - every killEveryMs (up to maxKills times), a worker SIGKILLed (the two take turns) and started
 *     again at once (it comes back in the background while the other faults go on);
 *   - once, when restartAtFraction of the jobs are submitted, the Temporal dev server restarted;
 *   - terminations and cancels spread over the submissions: a random job still in flight is
 *     terminated with the real `temporal workflow terminate`, or canceled with POST /v1/videos/:id/cancel;
 *   - every burstEveryMs, a burst of scripted 5xx or 429 answers (they take turns) on KIE's generate
 *     and record-info, set with POST /_sim/faults — with the fault mix again, since that call replaces
 *     the whole scenario.
 * The loop ends when every job is submitted and every planned fault was injected.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Cluster } from '../../src/cluster/topology.js';
import type { FaultMix, ScriptedReply } from '../../src/kie-sim/index.js';
import type { Random } from '../../src/kie-sim/prng.js';
import { videoWorkflowId } from '../../src/workflows/job-types.js';
import { api, sleep } from '../cluster-run/api.js';
import { inFlight, type ChaosJob } from './jobs.js';

const exec = promisify(execFile);

export interface FaultPlan {
  killEveryMs: number;
  /** At most this many worker kills (a short run: each kill delays the jobs it cut off by minutes). */
  maxKills: number;
  restartAtFraction: number;
  terminations: number;
  cancels: number;
  burstEveryMs: number;
  mix: FaultMix;
}

export interface FaultTally {
  workerKills: number;
  temporalRestarts: number;
  temporalDownMs: number;
  terminated: number;
  canceled: number;
  bursts: { '5xx': number; '429': number };
  /** When the last fault was injected (the drain is timed from here). */
  endedAt: number;
  /** Faults that could not be injected (no job in flight, a CLI error): reported, and a violation. */
  missed: string[];
}

export interface FaultLoopDeps {
  cluster: Cluster;
  cliPath: string;
  namespace: string;
  jobs: ChaosJob[];
  /** Jobs submitted so far / jobs in the run. */
  submittedFraction: () => number;
  rng: Random;
  log: (line: string) => void;
  /** True when the run was aborted (a process died on its own, the timeout). */
  aborted: () => boolean;
}

const burst = (code: number, n: number): ScriptedReply[] => Array.from({ length: n }, () => ({ code }));
const BURSTS = {
  '5xx': { generate: [...burst(500, 3), ...burst(503, 3)], 'record-info': burst(500, 6) },
  '429': { generate: burst(429, 6), 'record-info': burst(429, 6) },
} as const;

export async function runFaultLoop(plan: FaultPlan, deps: FaultLoopDeps): Promise<FaultTally> {
  const { cluster, rng, log } = deps;
  const tally: FaultTally = {
    workerKills: 0,
    temporalRestarts: 0,
    temporalDownMs: 0,
    terminated: 0,
    canceled: 0,
    bursts: { '5xx': 0, '429': 0 },
    endedAt: Date.now(),
    missed: [],
  };
  const started = Date.now();
  const at = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  let nextKill = started + plan.killEveryMs;
  let nextBurst = started + plan.burstEveryMs;
  let terminationsTried = 0;
  let cancelsTried = 0;
  // Spread over the submissions: the k-th of n when (k + 0.5) / n of the jobs are submitted.
  const due = (k: number, n: number) => deps.submittedFraction() >= (k + 0.5) / n;

  const allSubmitted = () => deps.submittedFraction() >= 1;
  const planDone = () =>
    allSubmitted() &&
    tally.temporalRestarts + (plan.restartAtFraction > 0 ? 0 : 1) >= 1 &&
    terminationsTried >= plan.terminations &&
    cancelsTried >= plan.cancels;
  // The worker being started again after its kill, if any.
  const worker: { restarting: Promise<void> | null } = { restarting: null };
  const restartWorker = (i: number) => {
    const name = cluster.workers[i]!.process.name;
    worker.restarting = cluster
      .restartWorker(i)
      .then(
        () => log(`[${at()}]   ${name} running again`),
        (err: Error) => void tally.missed.push(`${name} did not start again: ${err.message}`),
      )
      .finally(() => (worker.restarting = null));
  };

  while (!deps.aborted() && !planDone()) {
    const now = Date.now();
    if (!allSubmitted() && tally.workerKills < plan.maxKills && now >= nextKill && !worker.restarting) {
      const i = tally.workerKills % cluster.workers.length;
      const w = cluster.workers[i]!;
      log(`[${at()}] SIGKILL ${w.process.name} (${inFlight(deps.jobs).length} jobs in flight)`);
      await w.process.kill();
      tally.workerKills++;
      restartWorker(i);
      nextKill = Math.max(nextKill + plan.killEveryMs, Date.now() + 1000);
    } else if (!allSubmitted() && now >= nextBurst) {
      const kind = tally.bursts['5xx'] <= tally.bursts['429'] ? '5xx' : '429';
      await setSimFaults(cluster.simulator.url, { mix: plan.mix, responses: BURSTS[kind] });
      tally.bursts[kind]++;
      nextBurst = now + plan.burstEveryMs;
    } else if (
      plan.restartAtFraction > 0 &&
      tally.temporalRestarts === 0 &&
      deps.submittedFraction() >= plan.restartAtFraction &&
      !worker.restarting
    ) {
      log(`[${at()}] restart the Temporal dev server (${inFlight(deps.jobs).length} jobs in flight)`);
      const t0 = Date.now();
      await cluster.temporal.restart();
      tally.temporalDownMs = Date.now() - t0;
      tally.temporalRestarts++;
      log(`[${at()}]   Temporal back after ${(tally.temporalDownMs / 1000).toFixed(1)} s`);
    } else if (terminationsTried < plan.terminations && due(terminationsTried, plan.terminations)) {
      terminationsTried++;
      if (await terminateOne()) tally.terminated++;
    } else if (cancelsTried < plan.cancels && due(cancelsTried, plan.cancels)) {
      cancelsTried++;
      if (await cancelOne()) tally.canceled++;
    } else {
      await sleep(200);
      continue;
    }
    tally.endedAt = Date.now();
  }
  if (worker.restarting) {
    // The cluster is whole again only once the last killed worker runs: the drain is timed from there.
    await worker.restarting;
    tally.endedAt = Date.now();
  }
  if (tally.terminated < plan.terminations)
    tally.missed.push(`${plan.terminations - tally.terminated} termination(s) found no job in flight`);
  if (tally.canceled < plan.cancels)
    tally.missed.push(`${plan.cancels - tally.canceled} cancel(s) found no job in flight`);
  if (plan.restartAtFraction > 0 && tally.temporalRestarts === 0)
    tally.missed.push('Temporal never restarted');
  return tally;

  /** A random job in flight, not yet picked by the chaos; up to 5 tries when it ends meanwhile. */
  async function pickAndDo(act: (j: ChaosJob) => Promise<boolean>): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const candidates = inFlight(deps.jobs).filter((j) => !j.terminated && !j.cancelRequested);
      if (!candidates.length) return false;
      const job = candidates[Math.floor(rng.next() * candidates.length)]!;
      if (await act(job)) return true;
    }
    return false;
  }

  function terminateOne(): Promise<boolean> {
    return pickAndDo(async (job) => {
      try {
        // The real CLI, as an operator would: `temporal workflow terminate`.
        await exec(
          deps.cliPath,
          [
            'workflow',
            'terminate',
            '--workflow-id',
            videoWorkflowId(job.id),
            '--reason',
            'chaos run',
            '--address',
            cluster.temporal.address,
            '--namespace',
            deps.namespace,
          ],
          { timeout: 30_000 },
        );
      } catch (err) {
        const text = `${(err as { stderr?: string }).stderr ?? ''} ${(err as Error).message}`;
        // Closed between the pick and the call: pick another. Anything else is reported.
        if (!/already completed|not found|closed/i.test(text))
          tally.missed.push(`terminate ${job.id}: ${text.trim().split('\n')[0]}`);
        return false;
      }
      job.terminated = true;
      log(`[${at()}] terminated the workflow of job ${job.index} (${job.id}, ${job.state})`);
      return true;
    });
  }

  function cancelOne(): Promise<boolean> {
    return pickAndDo(async (job) => {
      const r = await api(cluster.apis[0]!.url!, 'POST', `/v1/videos/${job.id}/cancel`, job.user.key).catch(
        (err: Error) => ({ status: 0, json: err.message }),
      );
      if (r.status !== 202) {
        // 409: it ended between the pick and the call.
        if (r.status !== 409) tally.missed.push(`cancel ${job.id}: ${r.status} ${JSON.stringify(r.json)}`);
        return false;
      }
      job.cancelRequested = true;
      log(`[${at()}] canceled job ${job.index} (${job.id}, ${job.state})`);
      return true;
    });
  }
}

async function setSimFaults(simulatorUrl: string, faults: unknown): Promise<void> {
  const res = await fetch(`${simulatorUrl}/_sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!res.ok) throw new Error(`POST /_sim/faults: ${res.status} ${await res.text()}`);
}
