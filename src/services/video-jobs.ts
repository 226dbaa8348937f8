/**
 * Starting and following generateVideo from code: used by the API, the tests and scripts.
 * Knows nothing of HTTP.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { hdReservationUpdate, progressQuery, reservationUpdate } from '../workflows/definitions.js';
import { workflowType, type WorkflowFn } from '../workflows/refs.js';
import type { JobProgress, ReservationResult, VideoRequest } from '../domain/index.js';
import {
  hdOnDemandWorkflowId,
  videoWorkflowId,
  type GenerateVideoInput,
  type HdOnDemandInput,
  type HdReservation,
  type Timing,
} from '../workflows/job-types.js';

type GenerateVideo = WorkflowFn<'generateVideo'>;
type FetchHdOnDemand = WorkflowFn<'fetchHdOnDemand'>;

export interface StartJobArgs {
  userId: string;
  request: VideoRequest;
  /** Credits to hold, and the 1080p part of them (see priceOf in pricing.ts). */
  price: number;
  hdPrice?: number;
  /**
   * Same key (per user) → same job id → the same workflow, however often the request is repeated. The
   * request's hash is recorded with it, so a reuse of the key with another request can be refused (409).
   */
  idempotency?: { key: string; requestHash: string };
  timing?: Partial<Timing>;
}

export interface StartedJob {
  jobId: string;
  reservation: ReservationResult;
  handle: WorkflowHandle<GenerateVideo>;
}

export function newJobId(userId: string, idempotencyKey?: string): string {
  if (!idempotencyKey) return `job_${randomUUID().replaceAll('-', '')}`;
  const digest = createHash('sha256').update(`${userId}\0${idempotencyKey}`).digest('hex');
  return `job_${digest.slice(0, 32)}`;
}

/**
 * Update-with-start (the early-return pattern): the workflow starts and we wait only until credits
 * are held or refused, so the caller learns 402/429 at once instead of from a job that fails later.
 */
export async function startVideoJob(
  client: Client,
  taskQueue: string,
  args: StartJobArgs,
): Promise<StartedJob> {
  const jobId = newJobId(args.userId, args.idempotency?.key);
  const input: GenerateVideoInput = {
    jobId,
    userId: args.userId,
    request: args.request,
    price: args.price,
    ...(args.hdPrice ? { hdPrice: args.hdPrice } : {}),
    ...(args.idempotency ? { idempotency: args.idempotency } : {}),
    ...(args.timing ? { timing: args.timing } : {}),
  };
  const startWorkflowOperation = new WithStartWorkflowOperation<GenerateVideo>(
    workflowType('generateVideo'),
    {
      workflowId: videoWorkflowId(jobId),
      taskQueue,
      args: [input],
      // A repeated request joins the running job; a finished job is never started again under its id.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `${args.request.model}: ${args.request.prompt.slice(0, 80)}`,
    },
  );
  const reservation = await client.workflow.executeUpdateWithStart(reservationUpdate, {
    startWorkflowOperation,
  });
  const handle = await startWorkflowOperation.workflowHandle();
  return { jobId, reservation, handle };
}

export function jobHandle(client: Client, jobId: string): WorkflowHandle<GenerateVideo> {
  return client.workflow.getHandle<GenerateVideo>(videoWorkflowId(jobId));
}

/** Waits for the job to end and returns its final progress, whatever the outcome (canceled included). */
export async function waitForJob(client: Client, jobId: string): Promise<JobProgress> {
  const handle = jobHandle(client, jobId);
  try {
    return await handle.result();
  } catch (err) {
    // Canceled jobs end the workflow as Canceled after their refund; their progress stays queryable.
    if (err instanceof WorkflowFailedError) return handle.query(progressQuery);
    throw err;
  }
}

/**
 * Starts the job's on-demand 1080p, or joins the one running (USE_EXISTING: concurrent asks make one
 * workflow, one hold), and waits only until its price is held or refused (update-with-start). A run
 * that ended may be followed by another (after a refusal, once credits are back): the ledger answers
 * a settled 1080p from the record, so a new run never holds twice.
 */
export async function startHdOnDemand(
  client: Client,
  taskQueue: string,
  input: HdOnDemandInput,
): Promise<HdReservation> {
  const startWorkflowOperation = new WithStartWorkflowOperation<FetchHdOnDemand>(
    workflowType('fetchHdOnDemand'),
    {
      workflowId: hdOnDemandWorkflowId(input.jobId),
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: `1080p on demand for ${input.jobId}`,
    },
  );
  return client.workflow.executeUpdateWithStart(hdReservationUpdate, { startWorkflowOperation });
}
