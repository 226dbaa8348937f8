/** What the ledger hands out: plain objects with camelCase fields, numbers for credits, Dates. */
import type {
  BreakerSource,
  JobError,
  JobProgress,
  JobState,
  JobRequest,
  ModelId,
  RejectionReason,
} from '../domain/index.js';

export interface User {
  id: string;
  name: string;
  concurrencyCap: number | null;
  dailySpendCap: number | null;
  createdAt: Date;
}

export interface NewUser {
  name: string;
  /** Most jobs holding credits at once; null/omitted = no cap. */
  concurrencyCap?: number | null | undefined;
  /** Most credits reserved per UTC day (see credit-operations.ts); null/omitted = no cap. */
  dailySpendCap?: number | null | undefined;
}

export interface CreatedApiKey {
  id: string;
  /** The plaintext key: shown once, never stored. */
  key: string;
  /** The first characters, stored, to tell keys apart in listings. */
  prefix: string;
}

export interface Balance {
  /** grants − captures */
  balance: number;
  /** sum of open holds (holds with neither capture nor release) */
  held: number;
  /** balance − held, never negative */
  available: number;
}

export type EntryKind = 'grant' | 'hold' | 'capture' | 'release';
/**
 * Which credits of a job an entry moves: `main` (the video, held when the job starts) or `hd` (a
 * 1080p fetched on demand once the job succeeded). Each part has its own hold and settlement.
 */
export type CreditPart = 'main' | 'hd';

export interface CreditEntry {
  id: number;
  kind: EntryKind;
  amount: number;
  jobId: string | null;
  idempotencyKey: string | null;
  note: string | null;
  createdAt: Date;
}

export type ReserveResult =
  { ok: true; replay: boolean } | { ok: false; reason: RejectionReason; message: string };
export type Settlement = { applied: boolean; outcome: 'captured' | 'released' | 'none' };

export interface Breaker {
  open: boolean;
  reason: string | null;
  openedAt: Date | null;
  /** Who opened it; null while closed, and for one opened before migration 8 recorded it. */
  openedBy: BreakerSource | null;
}

/**
 * KIE's balance as the watcher last saw it (src/ledger/kie-balance.ts). `credits` and `checkedAt` are
 * the last good read's (null: none yet); `error` is the last read's failure, null once a read succeeds.
 */
export interface KieBalance {
  credits: number | null;
  checkedAt: Date | null;
  /** The low-water mark that read was held against; null = none (KIE_BALANCE_LOW_WATER 0). */
  lowWater: number | null;
  error: string | null;
  errorAt: Date | null;
}

export interface JobRecord {
  id: string;
  userId: string;
  state: JobState;
  model: ModelId;
  request: JobRequest;
  /** Credits held for the job. */
  price: number;
  /** KIE's credits the job costs us once KIE takes its task (KIE_PRICES), for the spend report; null before they were recorded. */
  kieCredits: number | null;
  /** Credits captured (at most `price`): null until the job succeeds, and for jobs that did not. */
  charged: number | null;
  kieTaskId: string | null;
  detectionChannel: string | null;
  hdState: string | null;
  files: JobProgress['files'];
  error: JobError | null;
  /** The workflow's last progress snapshot, kept with the final record. */
  progress: JobProgress | null;
  idempotencyKey: string | null;
  /** Hash of the request that first used the idempotency key: a reuse with another body is a 409. */
  requestHash: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface NewJob {
  id: string;
  userId: string;
  model: ModelId;
  request: JobRequest;
  /** KIE's credits the job will cost us (KIE_PRICES). */
  kieCredits?: number | undefined;
  /** Credits the job costs (from config). In reserveAndRecordJob it defaults to, and must equal, `amount`. */
  price?: number | undefined;
  /** Initial state; default 'reserving'. */
  state?: JobState | undefined;
  idempotencyKey?: string | undefined;
  requestHash?: string | undefined;
}

export interface JobPatch {
  state?: JobState;
  kieTaskId?: string | null;
  detectionChannel?: string | null;
  hdState?: string | null;
  files?: JobProgress['files'];
  error?: JobError | null;
  progress?: JobProgress | null;
}

export interface JobListQuery {
  state?: JobState | undefined;
  /** `nextCursor` of the previous page; opaque. */
  cursor?: string | undefined;
  /** Page size, 1..100. */
  limit: number;
}

export interface JobPage {
  jobs: JobRecord[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/** job: a record that is not final, whose workflow has closed; hold: credits held with no workflow. */
export type ReconcileKind = 'job' | 'hold';

/** Something the reconciler must look at: an unfinished job record, or an open hold with no record. */
export interface ReconcileCandidate {
  jobId: string;
  /** The job record, or null for a hold without one. */
  job: JobRecord | null;
  /** When the job (or the hold) was created: the grace period runs from here. */
  since: Date;
}

export interface ReconcilerStats {
  /** Jobs and holds settled by the reconciler, by kind and reason. */
  reconciled: Array<{ kind: ReconcileKind; reason: string; count: number; released: number }>;
  lastSweepAt: Date | null;
  sweeps: number;
}
