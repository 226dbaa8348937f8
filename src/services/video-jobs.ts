/**
 * Starting and following generateVideo from code: used by the API, the tests and scripts.
 * Knows nothing of HTTP.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { hdReservationUpdate, progressQuery } from '../workflows/definitions.js';
import { workflowType, type WorkflowFn } from '../workflows/refs.js';
import { VideoModel, VideoState, VideoUserId } from '../workflows/search-attributes.js';
import { TryLater, type JobProgress, type JobRequest, type ReservationResult } from '../domain/index.js';
import type { JobRecord, Ledger } from '../ledger/index.js';
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
  request: JobRequest;
  /** Credits to hold, and the 1080p part of them (see priceOf in pricing.ts). */
  price: number;
  /** What KIE will charge us for it (kieCreditsOf in pricing.ts), kept with the job for the spend report. */
  kieCredits?: number;
  hdPrice?: number;
  /** Captured instead of a full refund when the job is canceled after KIE accepted its task. */
  cancelCharge?: number;
  /**
   * Same key (per user) → same job id → the same workflow, however often the request is repeated. The
   * request's hash is recorded with it, so a reuse of the key with another request can be refused (409).
   */
  idempotency?: { key: string; requestHash: string };
  timing?: Partial<Timing>;
  /**
   * Notify the customer's webhook when the job ends even if the user has no default URL: the request
   * names its own (checked by the caller). A user's default URL is read with the hold and notified.
   */
  notify?: boolean;
}

/** `record`: the job as the hold's transaction left it (queued, or rejected with its reason). */
export type StartedJob =
  | { jobId: string; reservation: { ok: true }; handle: WorkflowHandle<GenerateVideo>; record: JobRecord }
  | {
      jobId: string;
      reservation: Extract<ReservationResult, { ok: false }>;
      handle: null;
      record: JobRecord;
    };

export function newJobId(userId: string, idempotencyKey?: string): string {
  if (!idempotencyKey) return `job_${randomUUID().replaceAll('-', '')}`;
  const digest = createHash('sha256').update(`${userId}\0${idempotencyKey}`).digest('hex');
  return `job_${digest.slice(0, 32)}`;
}

/** A job's hold and record as reserveVideoJob left them, with what its workflow is started with. */
export type ReservedJob =
  | { reservation: { ok: true }; record: JobRecord; input: GenerateVideoInput }
  | { reservation: Extract<ReservationResult, { ok: false }>; record: JobRecord; input: null };

/**
 * Holds the credits and records the job in one statement: the caller learns 402/429 at once, and a
 * refusal starts nothing. The workflow is started next (startReservedJob), by the caller or, under a
 * burst, by the API's job starts (job-starts.ts). Should the process die between the two, the
 * reconciler releases the hold of a job whose workflow never started after RECONCILE_GRACE_MS.
 */
export async function reserveVideoJob(ledger: Ledger, args: StartJobArgs): Promise<ReservedJob> {
  const jobId = newJobId(args.userId, args.idempotency?.key);
  const {
    reservation,
    job: record,
    webhookDefault,
  } = await ledger.reserveAndRecordJobWithRecord({
    job: {
      id: jobId,
      userId: args.userId,
      model: args.request.model,
      request: args.request,
      price: args.price,
      ...(args.kieCredits !== undefined ? { kieCredits: args.kieCredits } : {}),
      // What the workflow's first stage would write: it waits for KIE's window from the start.
      state: 'queued',
      ...(args.idempotency
        ? { idempotencyKey: args.idempotency.key, requestHash: args.idempotency.requestHash }
        : {}),
    },
    amount: args.price,
  });
  if (!reservation.ok) return { reservation, record, input: null };
  const input: GenerateVideoInput = {
    jobId,
    userId: args.userId,
    request: args.request,
    price: args.price,
    heldByApi: true,
    ...(args.hdPrice ? { hdPrice: args.hdPrice } : {}),
    ...(args.cancelCharge ? { cancelCharge: args.cancelCharge } : {}),
    ...(args.idempotency ? { idempotency: args.idempotency } : {}),
    ...(args.timing ? { timing: args.timing } : {}),
    ...(args.notify || webhookDefault ? { notify: true } : {}),
  };
  return { reservation, record, input };
}

/**
 * Starts a reserved job's workflow with a plain start: a job costs Temporal one start, not an
 * update-with-start and a reservation activity (docs/architecture.md#job-flow). When Temporal does
 * not take it, the hold is given back (giveBackUnstarted) and TryLater is thrown. A workflow already
 * started under the id (a repeated request) is WorkflowExecutionAlreadyStartedError, nothing given back.
 */
export async function startReservedJob(
  client: Client,
  taskQueue: string,
  ledger: Ledger,
  input: GenerateVideoInput,
): Promise<WorkflowHandle<GenerateVideo>> {
  const options = generateVideoStartOptions(taskQueue, input);
  try {
    return await client.workflow.start<GenerateVideo>(workflowType('generateVideo'), options);
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw err;
    await giveBackUnstarted(client, ledger, input.jobId);
    throw new TryLater('The job could not be started; no credits were kept. Try again shortly.', 5, {
      cause: err,
    });
  }
}

/** Holds the credits, records the job and starts its workflow (reserveVideoJob, then startReservedJob). */
export async function startVideoJob(
  client: Client,
  taskQueue: string,
  ledger: Ledger,
  args: StartJobArgs,
): Promise<StartedJob> {
  const reserved = await reserveVideoJob(ledger, args);
  const { record } = reserved;
  const jobId = record.id;
  if (reserved.input === null) return { jobId, reservation: reserved.reservation, handle: null, record };
  const handle = await startReservedJob(client, taskQueue, ledger, reserved.input);
  return { jobId, reservation: { ok: true }, handle, record };
}

/** How a job's workflow is started (also by bench:starts, to measure Temporal's part alone). */
export function generateVideoStartOptions(taskQueue: string, input: GenerateVideoInput) {
  const { jobId, request, userId } = input;
  return {
    workflowId: videoWorkflowId(jobId),
    taskQueue,
    args: [input] as [GenerateVideoInput],
    // A repeated request joins the running job; a finished job is never started again under its id.
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    staticSummary: `${request.model}: ${request.prompt.slice(0, 80)}`,
    // Set with the start, so the workflow's first task need not upsert them.
    typedSearchAttributes: [
      { key: VideoUserId, value: userId },
      { key: VideoModel, value: request.model },
      { key: VideoState, value: 'queued' },
    ],
  };
}

/**
 * Temporal did not confirm the start. If it has no such workflow, the hold is released now; if it
 * cannot be asked either, the reconciler settles the job once its grace period is over. A workflow
 * that did start despite the error is left to run: it owns the hold.
 */
async function giveBackUnstarted(client: Client, ledger: Ledger, jobId: string): Promise<void> {
  try {
    await client.workflow.getHandle(videoWorkflowId(jobId)).describe();
    return;
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) return;
  }
  await releaseUnstarted(ledger, jobId, 'The job could not be started; its credits were released.');
}

/** A job whose workflow will not be started: `failed` (`start_failed`), its hold released. */
export async function releaseUnstarted(ledger: Ledger, jobId: string, message: string): Promise<void> {
  await ledger.compensateJob({
    jobId,
    patch: {
      state: 'failed',
      error: { source: 'internal', code: 'start_failed', message },
      files: [],
    },
  });
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
