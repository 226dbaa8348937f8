/**
 * Durability: the worker process is killed with SIGKILL while the job waits for KIE, and again while
 * it archives; a fresh worker finishes the job and no credit moves twice. And killed in the middle of
 * the generate call, after KIE got it: the job fails as ambiguous, released, and KIE never gets a
 * second one. The workers run the production entry point (src/worker-main.ts) in child processes,
 * sharing a Postgres schema.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { startKieSimulator, type SimOptions } from '../../src/kie-sim/index.js';
import { startStack } from '../../src/runtime/stack.js';
import { startVideoJob, waitForJob } from '../../src/services/video-jobs.js';
import { kieBalanceScheduleId } from '../../src/worker/kie-balance-schedule.js';
import { reconcileScheduleId } from '../../src/worker/reconcile-schedule.js';
import { progressQuery } from '../../src/workflows/definitions.js';
import { FAST_TIMING, STACK_SIM, videoRequest } from '../support/stack.js';
import { scratchPostgresUrl } from '../support/databases.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { testTemporal } from '../support/temporal.js';
import { waitFor } from '../support/wait-for.js';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * The API (webhook) in this process, the simulator, and workers as child processes that can be
 * killed; KIE reached through a TCP proxy the test can cut.
 */
async function crashRig(t: TestContext, name: string, sim: Partial<SimOptions>) {
  const { address } = await testTemporal();
  const databaseUrl = await scratchPostgresUrl(t, name);
  const dataDir = await mkdtemp(path.join(tmpdir(), `veo-${name}-`));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const kie = await startKieSimulator({ ...STACK_SIM, ...sim });
  t.after(() => kie.close());
  const toKie = await startTcpProxy(new URL(kie.url).host);
  t.after(() => toKie.close());

  const env = {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: `${name}-${randomUUID()}`,
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    KIE_API_KEY: 'sim-key',
    KIE_BASE_URL: `http://${toKie.address}`,
    KIE_DOWNLOAD_HOSTS: '127.0.0.1',
    KIE_DOWNLOAD_LOCAL_HOSTS: '127.0.0.1',
    WEBHOOK_SECRET: 'crash-test-secret-0123456789abcdefghij',
    LOG_LEVEL: 'warn',
    PORT: '0',
  };
  // This process runs the API (webhook) only; workers are child processes we can kill.
  const api = await startStack({ config: loadConfig(env), roles: { api: true, worker: false } });
  t.after(async () => {
    // The workers created the reconciler's and the balance watcher's schedules for this task queue.
    for (const id of [
      reconcileScheduleId(env.TEMPORAL_TASK_QUEUE),
      kieBalanceScheduleId(env.TEMPORAL_TASK_QUEUE),
    ])
      await api.temporal.client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    await api.close();
  });
  const workerEnv = { ...process.env, ...env, PUBLIC_BASE_URL: api.apiUrl! };

  const user = await api.ledger.createUser({ name });
  await api.ledger.grant({ userId: user.id, amount: 100, idempotencyKey: `${name}-grant` });

  const children: ChildProcess[] = [];
  t.after(() => children.forEach((c) => c.kill('SIGKILL')));
  const startWorker = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker-main.ts'], {
      cwd: root,
      env: workerEnv,
      stdio: 'inherit',
    });
    children.push(child);
    return child;
  };
  const kill = async (child: ChildProcess) => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  const startJob = (timing = {}) =>
    startVideoJob(api.temporal.client, env.TEMPORAL_TASK_QUEUE, api.ledger, {
      userId: user.id,
      request: videoRequest(),
      price: 80,
      timing: { ...FAST_TIMING, ...timing },
    });
  return { api, kie, toKie, user, startWorker, kill, startJob };
}

describe('generateVideo survives worker crashes', () => {
  it('SIGKILL while waiting and while archiving: the job completes, one capture', async (t) => {
    // A slow generation (time to kill the worker while it waits), then a slow 4 MB download.
    const {
      api,
      kie: sim,
      user,
      startWorker,
      kill,
      startJob,
    } = await crashRig(t, 'crash', {
      durationsMs: { ...STACK_SIM.durationsMs!, veo3_fast: 4_000 },
      faults: { download: 'slow', slowBytesPerSec: 512 * 1024, videoBytes: 4 * 1024 * 1024 },
    });
    let worker = startWorker();
    const { jobId, handle } = await startJob({ firstPollAfterMs: 6_000, pollIntervalMs: 1_000 });
    const waitState = async (state: string) => {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if ((await handle!.query(progressQuery)).state === state) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`never reached ${state}`);
    };

    await waitState('generating');
    await kill(worker);
    worker = startWorker();

    await waitState('archiving');
    await new Promise((r) => setTimeout(r, 1_000)); // mid-download
    await kill(worker);
    worker = startWorker();

    const result = await waitForJob(api.temporal.client, jobId);
    assert.equal(result.state, 'succeeded', JSON.stringify(result.error));
    assert.equal(result.files[0]?.size, 4 * 1024 * 1024);
    assert.equal(result.files[0]?.sha256, sim.videoSha256(result.kieTaskId!, 'original'));
    assert.equal(sim.stats().generateCalls, 1, 'KIE paid once');

    const entries = await api.ledger.entries(user.id, 100);
    assert.equal(entries.filter((e) => e.kind === 'hold').length, 1);
    assert.equal(entries.filter((e) => e.kind === 'capture').length, 1);
    assert.equal(entries.filter((e) => e.kind === 'release').length, 0);
    assert.deepEqual(await api.ledger.balance(user.id), { balance: 20, held: 0, available: 20 });
    assert.deepEqual(await api.ledger.checkInvariants(), []);
    await kill(worker);
  });

  it('SIGKILL mid-submit, after KIE got the request: not sent again; the callback names the task, charged once', async (t) => {
    const { api, kie, toKie, user, startWorker, kill, startJob } = await crashRig(t, 'midsubmit', {});
    const worker = startWorker();
    // KIE gets the generate call and creates (charges) the task; its answer never comes back.
    toKie.muteReplies();
    const { jobId } = await startJob();
    await waitFor(
      'KIE to receive the generate call',
      async () => (kie.stats().generateCalls === 1 ? true : undefined),
      60_000,
    );
    await kill(worker);
    // The next worker picks the job up (a second generate would still reach KIE and be counted), on a
    // network that answers again.
    toKie.heal();
    startWorker();

    const result = await waitForJob(api.temporal.client, jobId);
    assert.equal(result.state, 'succeeded', JSON.stringify(result));
    assert.equal(
      kie.stats().generateCalls,
      1,
      `one generation at KIE, never a second: ${JSON.stringify(kie.stats())}`,
    );
    assert.ok(kie.task(result.kieTaskId!), 'the job went on with the task KIE made');
    const entries = await api.ledger.entries(user.id, 100);
    assert.equal(entries.filter((e) => e.kind === 'capture').length, 1);
    assert.equal(entries.filter((e) => e.kind === 'release').length, 0);
    assert.equal((await api.ledger.balance(user.id)).held, 0);
    assert.deepEqual(await api.ledger.checkInvariants(), []);
  });
});
