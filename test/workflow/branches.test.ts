/**
 * generateVideo's branches that are slow or awkward to reach through the simulator — the generation
 * deadline, the 1080p window running out, an ambiguous submit, a cancel at each working stage — run
 * the way Temporal's samples test workflows: the real workflow code on a real server
 * (`TestWorkflowEnvironment` on the suite's dev server), its activities replaced by stubs that record
 * every call. Each case checks the final state and that the hold is settled exactly once, the right way.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it, before, after } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { pino } from 'pino';
import type { createVideoActivities } from '../../src/activities/index.js';
import type { ArchivedFile, JobProgress, JobState } from '../../src/domain/index.js';
import type { KieTaskStatus } from '../../src/activities/kie-activities.js';
import {
  kieSubmitTaskQueue,
  videoWorkflowId,
  type GenerateVideoInput,
  type Timing,
} from '../../src/workflows/job-types.js';
import { installTemporalRuntime } from '../../src/runtime/temporal-runtime.js';
import { videoRequest } from '../support/requests.js';
import { testTemporal, workflowBundle } from '../support/temporal.js';
import { waitFor } from '../support/wait-for.js';

type Activities = ReturnType<typeof createVideoActivities>;
type Stubbed = Pick<
  Activities,
  | 'reserveCredits'
  | 'recordJobState'
  | 'submitToKie'
  | 'checkKieTask'
  | 'fetchHd'
  | 'archiveFile'
  | 'finalizeJob'
  | 'compensateJob'
>;

/** Seconds instead of minutes: every branch is reached within a few seconds of real time. */
const FAST: Timing = {
  firstPollAfterMs: 100,
  pollIntervalMs: 100,
  generationDeadlineMs: 60_000,
  hdWindowMs: 60_000,
  hdRetryIntervalMs: 100,
  retryInitialIntervalMs: 100,
  archiveHeartbeatTimeoutMs: 30_000,
};

const REQUEST = videoRequest();

const PRICE = 80;
const HD_PRICE = 5;
/** What the API would pass under CANCEL_AFTER_SUBMIT=charge-model for a model priced 70. */
const CANCEL_CHARGE = 70;

interface Calls {
  names: string[];
  finalized: Array<{ amount?: number | undefined; progress: JobProgress }>;
  compensated: JobProgress[];
  /** The cancel policy's charge of each compensateJob call (0 = a full release). */
  charges: number[];
  stages: JobState[];
}

/** Activity stubs, each overridable; every call is recorded. The defaults make a job succeed. */
function stubs(overrides: Partial<Stubbed> = {}): { activities: Stubbed; calls: Calls } {
  const calls: Calls = { names: [], finalized: [], compensated: [], charges: [], stages: [] };
  const file = (variant: ArchivedFile['variant']): ArchivedFile => ({
    variant,
    key: `videos/${variant}.mp4`,
    size: 1024,
    sha256: '0'.repeat(64),
    contentType: 'video/mp4',
  });
  const defaults: Stubbed = {
    reserveCredits: async () => ({ ok: true }),
    recordJobState: async ({ progress }) => void calls.stages.push(progress.state),
    submitToKie: async () => ({ taskId: 'task-1' }),
    checkKieTask: async (): Promise<KieTaskStatus> => succeeded,
    fetchHd: async () => ({ status: 'ready', url: 'https://kie.example/1080p.mp4' }),
    archiveFile: async ({ variant }) => file(variant),
    finalizeJob: async ({ progress, amount }) => void calls.finalized.push({ progress, amount }),
    compensateJob: async ({ progress, charge }) => {
      calls.compensated.push(progress);
      calls.charges.push(charge ?? 0);
    },
  };
  const merged = { ...defaults, ...overrides };
  const activities = Object.fromEntries(
    Object.entries(merged).map(([name, fn]) => [
      name,
      (...args: unknown[]) => {
        calls.names.push(name);
        return (fn as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as Stubbed;
  return { activities, calls };
}

const succeeded: KieTaskStatus = {
  state: 'succeeded',
  resultUrls: ['https://kie.example/original.mp4'],
  errorCode: null,
  errorMessage: null,
  fallbackFlag: false,
  completeTime: null,
};
const stillGenerating: KieTaskStatus = { ...succeeded, state: 'generating', resultUrls: [] };

/** Never answers: the stage it stands for stays in progress until the activity is cancelled. */
const hang = async (): Promise<never> => {
  await Context.current().cancelled;
  throw new Error('unreachable: cancelled always rejects');
};

describe('generateVideo branches (stubbed activities, real server)', () => {
  let env: TestWorkflowEnvironment;

  before(async () => {
    installTemporalRuntime(pino({ level: 'warn' })); // the SDK's lifecycle chatter stays out of test output
    env = await TestWorkflowEnvironment.createFromExistingServer({ address: (await testTemporal()).address });
  });
  after(async () => {
    await env?.teardown();
  });

  /** Runs one job on a worker of its own task queue with the given stubs; returns its handle. */
  async function run(activities: Stubbed, input: Partial<GenerateVideoInput> = {}) {
    const taskQueue = `branches-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities,
    });
    // The generate call has a task queue of its own (docs/architecture.md#kie-pacing).
    const submits = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: kieSubmitTaskQueue(taskQueue),
      activities: { submitToKie: activities.submitToKie },
    });
    const jobId = `job_${randomUUID().replaceAll('-', '')}`;
    const running = Promise.all([worker.run(), submits.run()]);
    const handle = await env.client.workflow.start('generateVideo', {
      taskQueue,
      workflowId: videoWorkflowId(jobId),
      args: [
        {
          jobId,
          userId: 'usr_branches',
          request: REQUEST,
          price: PRICE,
          timing: FAST,
          ...input,
        } satisfies GenerateVideoInput,
      ],
    });
    const stop = async () => {
      worker.shutdown();
      submits.shutdown();
      await running;
    };
    return { handle, stop };
  }

  async function outcome(
    handle: Awaited<ReturnType<typeof run>>['handle'],
  ): Promise<{ progress: JobProgress; cancelled: boolean }> {
    try {
      return { progress: (await handle.result()) as JobProgress, cancelled: false };
    } catch (err) {
      assert.ok(err instanceof WorkflowFailedError, String(err));
      assert.ok(err.cause instanceof CancelledFailure, `expected a cancellation, got ${String(err.cause)}`);
      return { progress: await handle.query<JobProgress>('progress'), cancelled: true };
    }
  }

  it('no result before the generation deadline → timed_out, hold released once', async () => {
    const { activities, calls } = stubs({ checkKieTask: async () => stillGenerating });
    const { handle, stop } = await run(activities, { timing: { ...FAST, generationDeadlineMs: 1_500 } });
    try {
      const { progress } = await outcome(handle);
      assert.equal(progress.state, 'timed_out');
      assert.equal(progress.error?.source, 'deadline');
      assert.equal(calls.compensated.length, 1);
      assert.equal(calls.compensated[0]!.state, 'timed_out');
      assert.equal(calls.finalized.length, 0);
      assert.ok(calls.names.filter((n) => n === 'checkKieTask').length >= 2, 'it polled before giving up');
      assert.ok(!calls.names.includes('archiveFile'));
    } finally {
      await stop();
    }
  });

  it('1080p window runs out → succeeded with the original, the 1080p part not captured', async () => {
    const { activities, calls } = stubs({
      fetchHd: async () => ({ status: 'pending', message: 'still rendering' }),
    });
    const { handle, stop } = await run(activities, {
      request: { ...REQUEST, hd: true },
      price: PRICE + HD_PRICE,
      hdPrice: HD_PRICE,
      timing: { ...FAST, hdWindowMs: 3_000 },
    });
    try {
      const { progress } = await outcome(handle);
      assert.equal(progress.state, 'succeeded');
      assert.equal(progress.hd, 'unavailable');
      assert.match(progress.hdNote ?? '', /not ready within/);
      assert.deepEqual(
        progress.files.map((f) => f.variant),
        ['original'],
      );
      assert.ok(calls.names.filter((n) => n === 'fetchHd').length >= 2, 'it kept asking within the window');
      assert.equal(calls.finalized.length, 1);
      assert.equal(calls.finalized[0]!.amount, PRICE, 'the 1080p part is released, not captured');
      assert.equal(calls.compensated.length, 0);
    } finally {
      await stop();
    }
  });

  it('ambiguous submit → failed as submit_ambiguous, submitted once, hold released once', async () => {
    const { activities, calls } = stubs({
      submitToKie: async () => {
        throw ApplicationFailure.nonRetryable(
          'KIE did not confirm the submission',
          'KieRejected',
          'submit_ambiguous',
        );
      },
    });
    const { handle, stop } = await run(activities);
    try {
      const { progress } = await outcome(handle);
      assert.equal(progress.state, 'failed');
      assert.equal(progress.error?.source, 'kie');
      assert.equal(progress.error?.code, 'submit_ambiguous');
      assert.equal(calls.names.filter((n) => n === 'submitToKie').length, 1, 'never retried');
      assert.equal(calls.compensated.length, 1);
      assert.equal(calls.finalized.length, 0);
    } finally {
      await stop();
    }
  });

  const cancelAt: Array<{
    stage: JobState;
    overrides: Partial<Stubbed>;
    input?: Partial<GenerateVideoInput>;
  }> = [
    // Waiting for KIE's window, or in the generate call: the job is `queued` until the call returns.
    { stage: 'queued', overrides: { submitToKie: hang } },
    { stage: 'generating', overrides: { checkKieTask: async () => stillGenerating } },
    {
      stage: 'fetching_hd',
      overrides: { fetchHd: async () => ({ status: 'pending', message: 'still rendering' }) },
      input: { request: { ...REQUEST, hd: true }, price: PRICE + HD_PRICE, hdPrice: HD_PRICE },
    },
    { stage: 'archiving', overrides: { archiveFile: hang } },
  ];

  for (const { stage, overrides, input } of cancelAt) {
    // KIE has the task from `generating` on: the cancel policy's charge applies (here 70 of the hold).
    const charged = stage === 'queued' ? 0 : CANCEL_CHARGE;
    it(`cancel while ${stage} → canceled, settled once: ${charged ? `${charged} charged, the rest released` : 'all released'}`, async () => {
      const { activities, calls } = stubs(overrides);
      const { handle, stop } = await run(activities, { cancelCharge: CANCEL_CHARGE, ...input });
      try {
        await waitFor(
          `the job to reach ${stage}`,
          async () => (calls.stages.includes(stage) ? true : undefined),
          15_000,
        );
        await handle.cancel();
        const { progress, cancelled } = await outcome(handle);
        assert.ok(cancelled, 'the workflow ends as Canceled');
        assert.equal(progress.state, 'canceled');
        assert.equal(progress.error?.source, 'canceled');
        assert.equal(calls.compensated.length, 1);
        assert.equal(calls.compensated[0]!.state, 'canceled');
        assert.deepEqual(calls.charges, [charged]);
        assert.equal(calls.finalized.length, 0);
      } finally {
        await stop();
      }
    });
  }

  it('a failure after KIE has the task is never charged, whatever the cancel policy', async () => {
    const { activities, calls } = stubs({
      checkKieTask: async () => ({
        ...succeeded,
        state: 'failed',
        resultUrls: [],
        errorCode: 500,
        errorMessage: 'boom',
      }),
    });
    const { handle, stop } = await run(activities, { cancelCharge: CANCEL_CHARGE });
    try {
      const { progress } = await outcome(handle);
      assert.equal(progress.state, 'failed');
      assert.deepEqual(calls.charges, [0]);
    } finally {
      await stop();
    }
  });
});
