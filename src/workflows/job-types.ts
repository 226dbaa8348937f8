/**
 * Types shared by the workflow, its activities, the API and the CLI. Pure types: safe in the sandbox.
 */

export type VeoModel = 'veo3' | 'veo3_fast' | 'veo3_lite';
export type GenerationType = 'TEXT_2_VIDEO' | 'FIRST_AND_LAST_FRAMES_2_VIDEO' | 'REFERENCE_2_VIDEO';
export type AspectRatio = '16:9' | '9:16' | 'Auto';

/** A validated generation request (the API's zod schema produces it). Never holds secrets. */
export interface VideoRequest {
  prompt: string;
  model: VeoModel;
  generationType: GenerationType;
  imageUrls: string[];
  aspectRatio: AspectRatio;
  seed?: number;
  watermark?: string;
  enableTranslation: boolean;
  hd: boolean;
}

export type JobState =
  | 'reserving'
  | 'submitting'
  | 'generating'
  | 'fetching_hd'
  | 'archiving'
  | 'succeeded'
  | 'rejected'
  | 'failed'
  | 'canceled'
  | 'timed_out';

export const FINAL_STATES: readonly JobState[] = ['succeeded', 'rejected', 'failed', 'canceled', 'timed_out'];

export type DetectionChannel = 'callback' | 'poll';
export type HdState = 'not_requested' | 'not_supported' | 'pending' | 'ready' | 'unavailable';
export type Variant = 'original' | '1080p';

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

export interface GenerateVideoInput {
  jobId: string;
  userId: string;
  request: VideoRequest;
  /** Credits to hold, priced by the API from config (model + 1080p when `request.hd`). */
  price: number;
  /**
   * The 1080p part of `price`, not captured when the 1080p version is not delivered. Absent (= 0) in
   * jobs started before 1080p had a price of its own.
   */
  hdPrice?: number;
  /** The client's Idempotency-Key and a hash of the request, kept on the job record to detect reuse. */
  idempotency?: { key: string; requestHash: string };
  timing?: Partial<Timing>;
}

export interface ArchivedFile {
  variant: Variant;
  key: string;
  size: number;
  sha256: string;
  contentType: string;
}

export interface JobError {
  /**
   * Where it failed: 'kie' (KIE said no), 'archive', 'deadline', 'canceled', 'internal', or 'operator'
   * (its workflow was terminated, timed out or lost, and the reconciler settled the job; the code says which).
   */
  source: 'kie' | 'archive' | 'deadline' | 'canceled' | 'internal' | 'operator';
  code: string;
  message: string;
}

/** Live progress, exposed by the `progress` query and mirrored into the job record. */
export interface JobProgress {
  jobId: string;
  state: JobState;
  kieTaskId: string | null;
  detection: { channel: DetectionChannel; at: string; kieCompletedAt: string | null } | null;
  hd: HdState;
  hdNote: string | null;
  files: ArchivedFile[];
  error: JobError | null;
  /** When each state was entered, in order: stage durations for metrics and for the job's record. */
  stages: Array<{ state: JobState; at: string }>;
  /** Callbacks received, including duplicates and foreign ones (which change nothing). */
  callbacks: { received: number; ignored: number };
  updatedAt: string;
}

export type ReservationResult =
  | { ok: true }
  | {
      ok: false;
      reason: 'insufficient_credits' | 'concurrency_cap' | 'daily_cap' | 'breaker_open';
      message: string;
    };

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
