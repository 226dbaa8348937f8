/** The worker: generateVideo plus its activities, on one task queue. */
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createVideoActivities, type ActivityDeps } from '../activities/index.js';
import { workflowsPath } from './workflow-bundle.js';

export interface VideoWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests, production images); otherwise the workflows are bundled at start. */
  workflowBundle?: { code: string };
}

export function createVideoWorker(opts: VideoWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createVideoActivities(opts.deps),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath }),
    // Downloads get a moment to finish on shutdown before they are cancelled (and retried elsewhere).
    shutdownGraceTime: '10 seconds',
  });
}
