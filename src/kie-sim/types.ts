/** The simulator's public types: its options, its fault switches and what tests can inspect. */
import type { MarketModelName } from './market-models.js';
import type { ImageFormat } from './media.js';

export type SimModel = 'veo3' | 'veo3_fast' | 'veo3_lite';
export type VideoVariant = 'original' | '1080p' | '4k';

/** The API endpoints, named as KIE errors name them (docs/kie-api.md#endpoints, #limits-retention-pricing, #market). */
export type SimEndpoint =
  | 'generate'
  | 'record-info'
  | 'get-1080p-video'
  | 'get-4k-video'
  | 'extend'
  | 'credit'
  | 'download-url'
  | 'jobs/createTask'
  | 'jobs/recordInfo';

/** An answer given instead of normal handling: `{code, msg, data: null}` (msg defaults to KIE's text). */
export interface ScriptedReply {
  code: number;
  msg?: string;
}

export interface FaultMix {
  callbackDrop?: number;
  callbackDuplicate?: number;
  failure?: number;
}

export interface SimFaults {
  /**
   * Per endpoint, consumed FIFO by its next calls (after the key check), each answered instead of
   * normal handling: nothing is validated, created or charged (e.g. three 429s on generate). In an
   * X-Sim-Faults header only the head of the request's own endpoint is used, and nothing is consumed.
   */
  responses?: Partial<Record<SimEndpoint, ScriptedReply[]>>;
  /** The older spelling of `responses.generate`, consumed after it. */
  generateResponses?: ScriptedReply[];
  /**
   * Outcome of tasks created while set (default success). A failed Market task has state `fail`,
   * failCode = String(errorCode) and failMsg = errorMessage (successFlag does not apply there).
   */
  outcome?: 'success' | { successFlag: 2 | 3; errorCode: 400 | 422 | 500 | 501; errorMessage?: string };
  /**
   * Generate tasks created while set that succeed do so as KIE's legacy fallback model did
   * (docs/kie-api.md#generate, #callback-shapes): fallbackFlag true, 720p, no originUrls, the "(using fallback model)"
   * callback, and no 1080p (422 "record result data is blank"). Failures and extend tasks are unchanged.
   */
  fallback?: boolean;
  /**
   * drop: never sent; duplicate: sent twice; delay: sent after callbackDelayMs; early: the task
   * completes at once and its callback is POSTed before the generate (or createTask) reply is sent;
   * reorder: after the real callback, a stale one with the opposite outcome arrives. Veo and Market tasks alike.
   */
  callback?: 'normal' | 'drop' | 'duplicate' | 'delay' | 'early' | 'reorder';
  /**
   * Per-task random faults, for soak and chaos runs: when a task is created, whether its callback is
   * dropped or duplicated, and whether it fails, are drawn from the simulator's seeded PRNG with these
   * probabilities (each in [0, 1]; callbackDrop + callbackDuplicate ≤ 1). A drawn failure ends as KIE's
   * "created, upstream generation failed" (successFlag 3, errorCode 501). The task's own X-Sim-Faults
   * `callback` or `outcome` wins over a draw. Scenario only (not in X-Sim-Faults).
   */
  mix?: FaultMix;
  /** For callback 'delay' (default 2000 ms). */
  callbackDelayMs?: number;
  /** Also POST a well-formed, signed callback for a task id that does not exist to the same callBackUrl. */
  foreignCallback?: boolean;
  /**
   * never: 1080p stays "processing" forever; pending-as-500: "processing" is answered with code 500;
   * refused: the 1080p endpoint answers 422 "record result data is blank" (a permanent refusal).
   */
  hd1080?: 'normal' | 'never' | 'pending-as-500' | 'refused';
  /**
   * truncate-once: the first GET of each file closes the socket half way (Content-Length announced
   * in full); slow: slowBytesPerSec; not-mp4: HTML bytes, labelled as the file they replace
   * (video/mp4, image/png, …), so only sniffing catches them.
   */
  download?: 'normal' | 'truncate-once' | 'slow' | 'not-mp4';
  /** For download 'slow' (default 256 KiB/s). */
  slowBytesPerSec?: number;
  /**
   * How generate, extend and Market createTask answer once they have created (and charged) the task.
   * malformed: `{code: 200, data: {}}` — a success whose task id the caller never learns: the
   * ambiguous submit a client must not blindly retry. gateway-error: what answers is a proxy in front
   * of KIE that gave up waiting: HTTP 502 with an HTML page, no envelope — as ambiguous as a lost answer.
   */
  generateReply?: 'normal' | 'malformed' | 'gateway-error';
  /** generate, extend and createTask create (and charge) the task at once but answer only after this long (a slow KIE). */
  generateReplyDelayMs?: number;
  /** Every API endpoint answers 455. */
  maintenance?: boolean;
  /** Size of each served video (Veo's and Market's): the fixture padded with a trailing `free` box (still a valid MP4). */
  videoBytes?: number;
}

export interface SimOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Accepted bearer keys, default ['sim-key']. */
  apiKeys?: string[];
  /** Task ids, seeds and URL tokens come from PRNGs seeded with this (default: a random seed). */
  seed?: number;
  /** When set, every callback carries X-Webhook-Timestamp / X-Webhook-Signature (docs/kie-api.md#callback-verification). */
  hmacKey?: string;
  /** Account credits, default 100000. */
  credits?: number;
  prices?: Partial<Record<SimModel, number>> & { hd1080?: number; fourK?: number; extend?: number };
  /**
   * Generation time per model. `market`: every Market model (default 3000); a Market model's name
   * (e.g. `'kling-2.6/text-to-video'`): that model, overriding `market`.
   */
  durationsMs?: Partial<Record<SimModel | 'extend' | 'fourK' | 'market' | MarketModelName, number>>;
  /**
   * Credits per unit of each Market model: per image made for image models, per second of video for
   * video models (Kling 2.6 with sound: twice). Defaults: MARKET_MODELS (docs/kie-api.md#market-models).
   */
  marketPrices?: Partial<Record<MarketModelName, number>>;
  /** The image format of Market models with no output_format of their own (imagen4*; default png). */
  marketImageFormat?: ImageFormat;
  /**
   * Images per Market image task, whatever the model makes by itself (1, or imagen4-fast's
   * num_images): to see a client archive a task with several results.
   */
  marketImageCount?: number;
  /** Time after success before the 1080p version is ready (default 5000). */
  hd1080DelayMs?: number;
  /** Result URLs expire this long after they are minted (default 24 h); then they answer 403. */
  urlTtlMs?: number;
  /** Lifetime of a URL from /common/download-url (default 20 min, per the docs). */
  downloadUrlTtlMs?: number;
  /** Default 20 per 10 s, shared by generate, extend and Market createTask. */
  rateLimit?: { max: number; windowMs: number };
  /** Allow 9:16 and veo3_lite for REFERENCE_2_VIDEO (strict by default). */
  relaxedReference?: boolean;
  /** Default false: HTTP 200 with the code in the body. True: non-200 codes are also the HTTP status. */
  mirrorHttpStatus?: boolean;
  /** Delay between callback retries (default 1000); up to 3 retries on non-2xx or network error. */
  callbackRetryDelayMs?: number;
  faults?: SimFaults;
  log?: (line: string) => void;
}

/** One POST of a callback (each retry is its own entry). */
export interface SentCallback {
  url: string;
  headers: Record<string, string>;
  body: string;
  attempt: number;
  /** The receiver's HTTP status, or null when the attempt failed (connection error, timeout). */
  status: number | null;
  /** normal: the task's own callback; stale: the reorder fault's conflicting one; 4k: the 4K callback. */
  kind: 'normal' | 'stale' | '4k';
}

export interface SimTaskView {
  taskId: string;
  kind: 'generate' | 'extend';
  /** veo3 / veo3_fast / veo3_lite for generate; fast / quality / lite for extend. */
  model: string;
  state: 'generating' | 'succeeded' | 'failed';
  successFlag: 0 | 1 | 2 | 3;
  aspectRatio: string;
  /** The request as KIE echoes it in paramJson (normalized: `aspectRatio`, assigned `seeds`). */
  request: Record<string, unknown>;
  /** The body as received. */
  rawRequest: Record<string, unknown>;
  parentTaskId: string | null;
  callbackUrl: string | null;
  callbacks: SentCallback[];
  createdAt: number;
  completeAt: number;
  price: number;
  refunded: boolean;
  /** The faults fixed for this task: scenario at creation, overridden by its X-Sim-Faults header. */
  faults: SimFaults;
  hd1080: { requestedAt: number; readyAt: number } | null;
  fourK: { requestedAt: number; readyAt: number; callbackUrl: string | null } | null;
}

/** data of GET /jobs/recordInfo, as the simulator answers it (docs/kie-api.md#market). */
export interface MarketRecordData {
  taskId: string;
  model: string;
  state: 'waiting' | 'queuing' | 'generating' | 'success' | 'fail';
  /** JSON string of the request as received: {model, callBackUrl?, progressCallBackUrl?, input}. */
  param: string;
  resultJson: string;
  failCode: string;
  failMsg: string;
  costTime: number | null;
  completeTime: number | null;
  createTime: number;
  updateTime: number;
  creditsConsumed: number | null;
  progress?: number;
}

/** A Market task: recordInfo's data, plus what only the simulator knows. */
export interface MarketTaskView extends MarketRecordData {
  callbackUrl: string | null;
  callbacks: SentCallback[];
  /** Credits charged at creation (refunded when it failed). */
  price: number;
  refunded: boolean;
  faults: SimFaults;
}

export interface SimStats {
  generateCalls: number;
  recordInfoCalls: number;
  /** File GETs answered with bytes (200/206). */
  downloads: number;
  /** Callback POSTs made, every retry counted. */
  callbacksSent: number;
}

export interface KieSimulator {
  /** Base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
  /** Replace the scenario faults (also POST /_sim/faults with JSON). */
  setFaults(f: SimFaults): void;
  task(taskId: string): SimTaskView | undefined;
  /** A Market task as GET /_sim/tasks/:taskId shows it (also listed by GET /_sim/market-tasks). */
  marketTask(taskId: string): MarketTaskView | undefined;
  /** Hex SHA-256 of the bytes served for that file (the video's; the not-mp4 fault serves a page instead). */
  videoSha256(taskId: string, variant: VideoVariant): string;
  /** Hex SHA-256 of the bytes served at a result URL this simulator minted (any file), else undefined. */
  fileSha256(url: string): string | undefined;
  /** The account balance (also GET /api/v1/chat/credit, GET /_sim/credits). */
  credits(): number;
  /** Sets the account balance, e.g. to watch a balance monitor react (also POST /_sim/credits `{credits}`). */
  setCredits(credits: number): void;
  stats(): SimStats;
}
