/**
 * The worker process's Temporal workers: generateVideo, its activities and the reconciler on the
 * job task queue, and the paced generate call on its own queue (docs/architecture.md#kie-pacing),
 * a few at a time so the jobs waiting for KIE's window wait in Temporal, not in memory.
 */
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createVideoActivities, type ActivityDeps } from '../activities/index.js';
import { kieSubmitTaskQueue } from '../workflows/job-types.js';
import { workflowsPath } from './workflow-bundle.js';

export interface WorkerSizing {
  /** Workflows kept in memory between their tasks; the others are replayed from history on wake-up. */
  maxCachedWorkflows: number;
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentActivityTaskExecutions: number;
  /** Generate calls in flight or waiting for a slot of KIE's window, per worker process. */
  kieSubmitConcurrency: number;
}

export interface VideoWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  sizing?: Partial<WorkerSizing>;
  /** A prebuilt bundle (tests, production images); otherwise the workflows are bundled at start. */
  workflowBundle?: { code: string };
}

/** The workers as one: run, shut down and report state together. */
export interface VideoWorker {
  run(): Promise<void>;
  shutdown(): void;
  getState(): ReturnType<Worker['getState']>;
}

export async function createVideoWorker(opts: VideoWorkerOptions): Promise<VideoWorker> {
  const activities = createVideoActivities(opts.deps);
  const sizing = opts.sizing ?? {};
  const jobs = await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath }),
    ...(sizing.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: sizing.maxCachedWorkflows } : {}),
    ...(sizing.maxConcurrentWorkflowTaskExecutions !== undefined
      ? { maxConcurrentWorkflowTaskExecutions: sizing.maxConcurrentWorkflowTaskExecutions }
      : {}),
    ...(sizing.maxConcurrentActivityTaskExecutions !== undefined
      ? { maxConcurrentActivityTaskExecutions: sizing.maxConcurrentActivityTaskExecutions }
      : {}),
    // Downloads get a moment to finish on shutdown before they are cancelled (and retried elsewhere).
    shutdownGraceTime: '10 seconds',
  });
  const submits = await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: kieSubmitTaskQueue(opts.taskQueue),
    activities: {
      submitToKie: (args: Parameters<typeof activities.submitToKie>[0]) => activities.submitToKie(args),
    },
    maxConcurrentActivityTaskExecutions: sizing.kieSubmitConcurrency ?? 4,
    shutdownGraceTime: '10 seconds',
  });
  const workers = [jobs, submits];
  return {
    async run() {
      await Promise.all(workers.map((w) => w.run()));
    },
    shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
    getState: () => jobs.getState(),
  };
}
