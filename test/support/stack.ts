/**
 * A whole system for one test: the same assembly as `npm start` (src/runtime/stack.ts) on the run's
 * shared Temporal server, with its own task queue, simulator, PGlite data dir and archive dir, and
 * timings shrunk to seconds.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import { loadConfig } from '../../src/config.js';
import type { Logger } from '../../src/observability/logger.js';
import type { SimOptions } from '../../src/kie-sim/index.js';
import type { KiePace } from '../../src/ledger/index.js';
import { startStack, type Stack } from '../../src/runtime/stack.js';
import { priceOf } from '../../src/services/pricing.js';
import { startVideoJob, waitForJob, type StartJobArgs } from '../../src/services/video-jobs.js';
import { kieBalanceScheduleId } from '../../src/worker/kie-balance-schedule.js';
import { reconcileScheduleId } from '../../src/worker/reconcile-schedule.js';
import type { VideoRequest } from '../../src/domain/index.js';
import { videoWorkflowId, type Timing } from '../../src/workflows/job-types.js';
import { testTemporal, workflowBundle } from './temporal.js';
import { videoRequest } from './requests.js';
import { FAST_SIM } from './simulator.js';

/** The admin key of every test stack (ADMIN_API_KEY must be at least 32 characters). */
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';

export const FAST_TIMING: Partial<Timing> = {
  firstPollAfterMs: 4_000,
  pollIntervalMs: 1_000,
  generationDeadlineMs: 30_000,
  hdWindowMs: 4_000,
  hdRetryIntervalMs: 300,
  retryInitialIntervalMs: 100,
  archiveHeartbeatTimeoutMs: 3_000,
};

/** The fast simulator, its lifecycles long enough to see each stage of the workflow. */
export const STACK_SIM: Partial<SimOptions> = {
  ...FAST_SIM,
  seed: 42,
  durationsMs: {
    ...FAST_SIM.durationsMs,
    veo3: 600,
    veo3_fast: 400,
    veo3_lite: 300,
    extend: 400,
    fourK: 400,
  },
  hd1080DelayMs: 600,
  callbackRetryDelayMs: 100,
};

export interface TestStackOptions {
  sim?: Partial<SimOptions>;
  timing?: Partial<Timing>;
  env?: Record<string, string>;
  /** The stack's logger (default: one at TEST_LOG_LEVEL, silent unless set). */
  logger?: Logger;
  /** KIE's window as the workers keep it (default KIE_GENERATIONS_PER_10S per 10.5 s). */
  kiePace?: KiePace;
}

export type TestStack = Stack & {
  taskQueue: string;
  dataDir: string;
  timing: Partial<Timing>;
  /** A user with an API key and credits. */
  user(
    credits: number,
    caps?: { concurrencyCap?: number; dailySpendCap?: number },
  ): Promise<{ id: string; apiKey: string }>;
  start(
    userId: string,
    request?: Partial<VideoRequest>,
    extra?: Partial<StartJobArgs>,
  ): ReturnType<typeof startVideoJob>;
  wait(jobId: string): ReturnType<typeof waitForJob>;
  assertInvariants(): Promise<void>;
};

/**
 * Closed by the test's own `after` hook: the stack's worker and servers keep the process alive, so
 * a root-level hook (which node:test runs only once the event loop drains) would never run.
 */
export async function startTestStack(t: TestContext, opts: TestStackOptions = {}): Promise<TestStack> {
  const { address } = await testTemporal();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'veo-test-'));
  const taskQueue = `test-${randomUUID()}`;
  const timing = { ...FAST_TIMING, ...opts.timing };
  const config = loadConfig({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    ...opts.env,
  });
  const stack = await startStack({
    config,
    simulator: { ...STACK_SIM, ...opts.sim },
    timing,
    workflowBundle: await workflowBundle(),
    // The simulator's stages last a few hundred ms: progress streams read faster than production's 1 s.
    eventPollMs: 100,
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.kiePace ? { kiePace: opts.kiePace } : {}),
  });
  t.after(async () => {
    // The worker created the reconciler's and the balance watcher's schedules for this task queue; the
    // shared server outlives us.
    for (const id of [reconcileScheduleId(taskQueue), kieBalanceScheduleId(taskQueue)])
      await stack.temporal.client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  return Object.assign(stack, {
    taskQueue,
    dataDir,
    timing,
    async user(credits: number, caps: { concurrencyCap?: number; dailySpendCap?: number } = {}) {
      const user = await stack.ledger.createUser({ name: `user-${randomUUID().slice(0, 8)}`, ...caps });
      const key = await stack.ledger.createApiKey(user.id);
      if (credits > 0)
        await stack.ledger.grant({
          userId: user.id,
          amount: credits,
          idempotencyKey: `test-grant:${user.id}`,
        });
      return { id: user.id, apiKey: key.key };
    },
    start(userId: string, request: Partial<VideoRequest> = {}, extra: Partial<StartJobArgs> = {}) {
      const full = videoRequest(request);
      return startVideoJob(stack.temporal.client, taskQueue, stack.ledger, {
        userId,
        request: full,
        ...priceOf(config.prices, full),
        timing,
        ...extra,
      });
    },
    async wait(jobId: string) {
      // A create answered before its workflow's start (src/services/job-starts.ts): started first.
      await stack.jobStarts?.settled(jobId);
      const result = await waitForJob(stack.temporal.client, jobId);
      await maybeRecordHistory(stack, jobId, result.state);
      return result;
    },
    async assertInvariants() {
      assert.deepEqual(await stack.ledger.checkInvariants(), [], 'ledger invariants');
    },
  });
}

/**
 * RECORD_HISTORIES=1 npm test -- test/workflow saves each finished job's event history under
 * test/histories/; the replay test runs them against the current workflow code, so a change that
 * would break running workflows (non-determinism) fails CI.
 */
async function maybeRecordHistory(stack: Stack, jobId: string, state: string) {
  await maybeRecordWorkflowHistory(stack, videoWorkflowId(jobId), `${state}-${jobId.slice(4, 14)}`);
}

/** The same for any workflow (e.g. fetchHdOnDemand), saved as test/histories/<name>.json. */
export async function maybeRecordWorkflowHistory(stack: Stack, workflowId: string, name: string) {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await stack.temporal.client.workflow.getHandle(workflowId).fetchHistory();
  await writeFile(path.resolve(import.meta.dirname, '../histories', `${name}.json`), historyToJSON(history));
}

export { videoRequest };
