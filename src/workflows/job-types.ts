/**
 * generateVideo's own contract: its input, timing and signal payloads, and its workflow id. The job
 * vocabulary it speaks (states, files, errors) is src/domain's. Safe in the sandbox.
 */
import type { HdState, JobProgress, JobRequest, MediaKind, RejectionReason } from '../domain/index.js';

/** Durations, in milliseconds. Production defaults in DEFAULT_TIMING; tests shrink them to seconds. */
export interface Timing {
  /** First record-info poll: near the model's expected generation time. */
  firstPollAfterMs: number;
  pollIntervalMs: number;
  /** No result by then → timed_out. */
  generationDeadlineMs: number;
  /** How long to keep asking for the 1080p version before settling for the original. */
  hdWindowMs: number;
  hdRetryIntervalMs: number;
  /** First retry delay of KIE and download activities (doubles each attempt). */
  retryInitialIntervalMs: number;
  /** A download that reports no progress for this long is presumed dead (worker lost) and retried. */
  archiveHeartbeatTimeoutMs: number;
}

export const DEFAULT_TIMING: Timing = {
  firstPollAfterMs: 60_000,
  pollIntervalMs: 30_000,
  generationDeadlineMs: 30 * 60_000,
  hdWindowMs: 6 * 60_000,
  hdRetryIntervalMs: 30_000,
  retryInitialIntervalMs: 2_000,
  archiveHeartbeatTimeoutMs: 30_000,
};

/**
 * A Market job's defaults over DEFAULT_TIMING: images come in seconds, so the first poll is early;
 * KIE's jobs API allows 10 queries/s per key, so polls stay ≥ 10 s apart (callbacks come first anyway).
 */
export const MARKET_TIMING: Readonly<Record<MediaKind, Partial<Timing>>> = {
  image: { firstPollAfterMs: 10_000, pollIntervalMs: 10_000, generationDeadlineMs: 15 * 60_000 },
  video: { firstPollAfterMs: 60_000, pollIntervalMs: 20_000, generationDeadlineMs: 30 * 60_000 },
};

export interface GenerateVideoInput {
  jobId: string;
  userId: string;
  /** A Veo request, or a Market model's (docs/architecture.md#market-jobs). */
  request: JobRequest;
  /** Credits to hold, priced by the API from config (model + 1080p when `request.hd`). */
  price: number;
  /**
   * The 1080p part of `price`, not captured when the 1080p version is not delivered. Absent (= 0) in
   * jobs started before 1080p had a price of its own.
   */
  hdPrice?: number;
  /**
   * Captured (the rest released) when the job is canceled after KIE accepted its task: the cancel
   * policy, decided by the API from config (docs/architecture.md#cancel-policy). Absent = a full
   * refund, as every cancel was before the policy.
   */
  cancelCharge?: number;
  /**
   * The API held the credits and recorded the job before starting the workflow (absent in workflows
   * started before it did): the workflow does not reserve.
   */
  heldByApi?: boolean;
  /** The client's Idempotency-Key and a hash of the request, kept on the job record to detect reuse. */
  idempotency?: { key: string; requestHash: string };
  timing?: Partial<Timing>;
  /**
   * Tell the customer's system when the job ends (notifyCustomer): set by the API when the request
   * has a webhookUrl or the user a default one. Absent in jobs started before webhooks existed.
   */
  notify?: boolean;
}

/** What notifyCustomer needs: the job (everything else — URL, secret, final state — is read from the database). */
export interface NotifyCustomerInput {
  jobId: string;
  /** First retry delay (doubling, up to an hour); tests shrink it. Default 10 s. */
  retryInitialIntervalMs?: number;
}

export type NotifyCustomerResult =
  | { outcome: 'delivered'; status: number }
  /** No URL any more (the user's default was cleared), or a job that ended rejected. */
  | { outcome: 'skipped'; reason: string };

/**
 * The first step of an on-demand 1080p (fetchHdOnDemand): its price held and the job marked pending;
 * or nothing to do (already delivered or given up on), refused (credits, caps, breaker), or not a job
 * that can have one (the API checks first; the ledger checks again under the user's lock).
 */
export type HdReservation =
  | { status: 'held'; replay: boolean }
  | { status: 'settled'; hd: HdState }
  | { status: 'refused'; reason: RejectionReason; message: string }
  | { status: 'ineligible'; message: string };

export interface HdOnDemandInput {
  jobId: string;
  userId: string;
  /** KIE's task id of the finished video. */
  taskId: string;
  /** Credits held for the 1080p (PRICE_HD), captured only when its file is archived. */
  price: number;
  timing?: Partial<Timing>;
}

export interface HdOnDemandResult {
  hd: HdState;
  note: string | null;
}

/** What the webhook forwards: a wake-up only. URLs are not trusted; record-info is. */
export interface KieCallbackSignal {
  taskId: string;
  code: number;
  msg: string;
  receivedAt: string;
}

export type GenerateVideoResult = JobProgress;

export function videoWorkflowId(jobId: string): string {
  return `video-${jobId}`;
}

/** One on-demand 1080p workflow per job: concurrent requests join it (USE_EXISTING). */
export function hdOnDemandWorkflowId(jobId: string): string {
  return `hd1080-${jobId}`;
}

/**
 * The paced generate call heartbeats this often, and is presumed dead (its worker gone) after the
 * timeout: the retry then finds the call's open record and fails the job as ambiguous instead of
 * waiting out the activity's whole limit.
 */
export const SUBMIT_HEARTBEAT_MS = 5_000;
/** The second detail of a `submit_ambiguous` failure (the first is the code). */
export interface SubmitAmbiguousDetails {
  /** The call carried our callback URL: KIE's callback, if it made the task, will name it. */
  callbackExpected: boolean;
}
export const SUBMIT_HEARTBEAT_TIMEOUT_MS = 20_000;

/** The task queue of the paced generate call, beside the job's own (docs/architecture.md#kie-pacing). */
export function kieSubmitTaskQueue(taskQueue: string): string {
  return `${taskQueue}-kie-submit`;
}

/**
 * One notification per job: a second start (a replayed trigger, an operator) meets this id and is
 * refused, so a job's end is delivered once — with this id as its `webhook-id`, the same on every try.
 */
export function notifyWorkflowId(jobId: string): string {
  return `notify-${jobId}`;
}
