/**
 * generateVideo: one durable job from credits to archived files (docs/architecture.md#job-flow): a Veo
 * video, or a Market model's images or video (docs/architecture.md#market-jobs), on the same steps.
 *
 *   reserve → submit → wait (callback ⟷ polling) → 1080p (Veo, optional) → archive → capture
 *
 * Any failure, timeout or cancellation after the reservation releases the hold (a cancel after KIE
 * accepted the task may keep the policy's part), in a non-cancellable scope; capture and release are
 * idempotent in the ledger, so exactly one of them happens per job.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createVideoActivities } from '../activities/index.js';
import type { KieTaskStatus } from '../activities/kie-activities.js';
import { kieCallbackSignal, progressQuery, reservationUpdate } from './definitions.js';
import type {
  ArchivedFile,
  JobError,
  JobProgress,
  JobState,
  MediaKind,
  ReservationResult,
  Variant,
  VideoRequest,
} from '../domain/index.js';
// Values from the domain's zod-free modules only: the barrel would bring zod into the workflow bundle.
import { isMarketRequest, mediaKindOf } from '../domain/market-catalog.js';
import { MAX_RESULT_FILES, resultVariant } from '../domain/variants.js';
import {
  DEFAULT_TIMING,
  type GenerateVideoInput,
  type GenerateVideoResult,
  type KieCallbackSignal,
  type SubmitAmbiguousDetails,
  type Timing,
  kieSubmitTaskQueue,
  MARKET_TIMING,
  SUBMIT_HEARTBEAT_TIMEOUT_MS,
} from './job-types.js';
import { VideoModel, VideoState, VideoUserId } from './search-attributes.js';
import { failureToJobError, kieFailure } from './job-errors.js';
import { notifyCustomerOfEnd } from './notify-customer.js';

type Activities = ReturnType<typeof createVideoActivities>;

/** Callbacks kept before the task id is known: one per task id, at most this many task ids. */
const MAX_EARLY_TASK_IDS = 8;

/**
 * The one patch marker of a job started since it: every patch of this workflow up to it is taken
 * (docs/architecture.md#versioning). A later change adds its own `patched()`; when it too is
 * settled, a new marker of this kind may stand for all of them (the old one kept for the jobs it marks).
 */
export const ALL_PATCHES_MARKER = 'all-patches-2026-12';

/**
 * Each proxy sees only the activities of its profile (timeouts, retries), so calling one through the
 * wrong proxy — `ledger.archiveFile`, with the ledger's 30 s limit — does not compile.
 */
type LedgerActivities = Pick<
  Activities,
  | 'reserveCredits'
  | 'recordJobState'
  | 'finalizeJob'
  | 'compensateJob'
  // fetchHdOnDemand's (src/workflows/fetch-hd-on-demand.ts), which shares this profile.
  | 'reserveHdOnDemand'
  | 'deliverHdOnDemand'
  | 'abandonHdOnDemand'
>;
type KieActivities = Pick<Activities, 'submitToKie' | 'checkKieTask' | 'fetchHd'>;
type ArchiveActivities = Pick<Activities, 'archiveFile'>;

const LEDGER_RETRY = { initialInterval: '1 second', maximumInterval: '30 seconds', backoffCoefficient: 2 };

/** Ledger and bookkeeping: fast, idempotent, retried until the database answers. */
export const ledger = proxyActivities<LedgerActivities>({
  startToCloseTimeout: '30 seconds',
  retry: LEDGER_RETRY,
});

/**
 * The job record's mirror of each stage, as a local activity: it runs in the workflow task that
 * decides the stage, so a stage costs no extra activity task and workflow task round trip
 * (docs/architecture.md#workflow-conventions). Idempotent like every ledger step.
 */
const bookkeeping = proxyLocalActivities<Pick<Activities, 'recordJobState'>>({
  startToCloseTimeout: '30 seconds',
  retry: LEDGER_RETRY,
});

/**
 * Calls to KIE, and downloads. The activities classify KIE's answers: permanent ones are non-retryable
 * failures, the rest are retried with backoff. Downloads heartbeat so a dead worker is noticed in
 * seconds, not at the start-to-close limit.
 */
export function remoteActivities(timing: Timing) {
  const retry = {
    initialInterval: timing.retryInitialIntervalMs,
    maximumInterval: '60 seconds',
    backoffCoefficient: 2,
  };
  const kieRetry = { ...retry, maximumInterval: '10 seconds', maximumAttempts: 20 };
  return {
    kie: proxyActivities<KieActivities>({
      startToCloseTimeout: '60 seconds',
      // KIE's rate limit is per 10 s window: waiting longer than that between tries only adds latency.
      // 20 tries: about 3 minutes of 429/455/5xx before the job gives up and refunds.
      retry: kieRetry,
    }),
    /**
     * The generate call on its own task queue: a few per worker at a time, each waiting for a slot of
     * KIE's window (docs/architecture.md#kie-pacing); the jobs behind them wait in Temporal's backlog,
     * costing nothing. Its limit covers the wait for a slot plus KIE_TIMEOUT_MS (config keeps it below).
     */
    pacedSubmit: proxyActivities<Pick<KieActivities, 'submitToKie'>>({
      taskQueue: kieSubmitTaskQueue(workflowInfo().taskQueue),
      startToCloseTimeout: '120 seconds',
      heartbeatTimeout: SUBMIT_HEARTBEAT_TIMEOUT_MS,
      retry: kieRetry,
    }),
    /**
     * record-info in the workflow task that asked for it: its result is one marker event, where an
     * activity costs three events and a workflow task more (a flood of wake-ups stays cheap too).
     */
    localKie: proxyLocalActivities<Pick<KieActivities, 'checkKieTask'>>({
      startToCloseTimeout: '60 seconds',
      retry: kieRetry,
    }),
    archive: proxyActivities<ArchiveActivities>({
      startToCloseTimeout: '30 minutes',
      heartbeatTimeout: timing.archiveHeartbeatTimeoutMs,
      retry: { ...retry, maximumAttempts: 8 },
    }),
  };
}

export async function generateVideo(input: GenerateVideoInput): Promise<GenerateVideoResult> {
  const market = isMarketRequest(input.request);
  const timing: Timing = {
    ...DEFAULT_TIMING,
    ...(market ? MARKET_TIMING[mediaKindOf(input.request)] : {}),
    ...input.timing,
  };
  const remote = remoteActivities(timing);
  const { kie, archive } = remote;
  // Versions of this workflow (docs/architecture.md#versioning). Each is decided in the first workflow
  // task, so a workflow keeps the version it started with; histories recorded before say false.
  // A workflow started since ALL_PATCHES_MARKER records that one marker for every patch below and the
  // two decided later: each patch taken is a marker and a search-attribute upsert, and the Temporal
  // server writes its visibility record once per upsert — four writes per job start, now one.
  const all = patched(ALL_PATCHES_MARKER);
  const version = {
    /** Stage mirrors are local activities. */
    localBookkeeping: all || patched('bookkeeping-as-local-activities'),
    /** `queued`, then the paced generate call on its own task queue. */
    pacedSubmit: all || patched('kie-submit-paced-queue'),
    /**
     * Cheap wake-ups: record-info as a local activity (one marker, not an activity's events) and one
     * timer per poll kept across callbacks, so a wake-up adds ≤ 5 events to the history.
     */
    cheapWakeups: all || patched('record-info-local-one-poll-timer'),
    /** The first poll spread over [1, 1 + FIRST_POLL_SPREAD] × firstPollAfterMs (see firstPollDelay). */
    spreadFirstPoll: all || patched('first-poll-spread'),
  };
  const { jobId, request } = input;
  const progress: JobProgress = {
    jobId,
    state: 'reserving',
    kieTaskId: null,
    detection: null,
    hd: !isMarketRequest(request) && request.hd ? 'pending' : 'not_requested',
    hdNote: null,
    files: [],
    error: null,
    stages: [{ state: 'reserving', at: nowIso() }],
    callbacks: { received: 0, ignored: 0 },
    updatedAt: nowIso(),
  };
  let reservation: ReservationResult | undefined = undefined; // set once the hold is decided
  // Callbacks may arrive before submit returns the task id: keep them until we know which are ours.
  const callbacks: KieCallbackSignal[] = [];
  let callbackWake = false;

  // Handlers first, before any await (docs/architecture.md#workflow-conventions).
  setHandler(progressQuery, () => progress);
  setHandler(reservationUpdate, async () => {
    await condition(() => reservation !== undefined);
    return reservation!;
  });
  setHandler(kieCallbackSignal, (cb) => {
    progress.callbacks.received++;
    if (progress.kieTaskId === null) {
      // Only whether one matches our task will matter: one per task id, a few task ids at most.
      if (callbacks.length < MAX_EARLY_TASK_IDS && !callbacks.some((c) => c.taskId === cb.taskId))
        callbacks.push(cb);
      else progress.callbacks.ignored++;
    } else if (cb.taskId === progress.kieTaskId && !progress.detection) {
      callbackWake = true;
    } else {
      progress.callbacks.ignored++;
    }
  });

  /**
   * The API that held the credits also recorded the job as `queued` and started the workflow with its
   * search attributes: the first stage is already written, in the record and in Temporal.
   */
  const firstStageWritten = input.heldByApi === true && version.pacedSubmit;
  const setState = (state: JobState, opts: { upsert: boolean } = { upsert: true }) => {
    progress.state = state;
    progress.updatedAt = nowIso();
    progress.stages.push({ state, at: progress.updatedAt });
    if (opts.upsert) upsertSearchAttributes([{ key: VideoState, value: state }]);
  };
  /** A working stage: the state, mirrored into the job record the API reads. */
  const enterStage = async (state: JobState) => {
    if (firstStageWritten && state === 'queued') {
      setState(state, { upsert: false });
      return;
    }
    setState(state);
    const record = version.localBookkeeping ? bookkeeping : ledger;
    await record.recordJobState({ jobId, progress: { ...progress } });
  };
  if (!firstStageWritten) {
    upsertSearchAttributes([
      { key: VideoUserId, value: input.userId },
      { key: VideoModel, value: request.model },
      { key: VideoState, value: 'reserving' },
    ]);
  }

  // The API holds the credits before it starts the workflow (src/services/video-jobs.ts); workflows
  // started before that reserve here. Reservation is not cancellable: a cancel arriving mid-call must
  // not leave a hold we never saw.
  const reserved: ReservationResult = input.heldByApi
    ? { ok: true }
    : await CancellationScope.nonCancellable(() =>
        ledger.reserveCredits.executeWithOptions({ summary: `hold ${input.price} credits` }, [
          // Only workflows from before the API held the credits come here: all of them Veo jobs.
          {
            jobId,
            userId: input.userId,
            price: input.price,
            request: request as VideoRequest,
            idempotency: input.idempotency,
          },
        ]),
      );
  reservation = reserved;
  if (!reserved.ok) {
    setState('rejected');
    progress.error = { source: 'internal', code: reserved.reason, message: reserved.message };
    return progress;
  }

  try {
    await runJob(
      {
        input,
        timing,
        progress,
        setState,
        enterStage,
        kie,
        archive,
        submit: submitter(remote, version.pacedSubmit),
        checkTask: taskChecker(remote, version.cheapWakeups, market),
        cheapWakeups: version.cheapWakeups,
        firstPollDelayMs: firstPollDelay(timing, version.spreadFirstPoll),
        allPatches: all,
      },
      {
        takeWake: () => {
          const woke = callbackWake;
          callbackWake = false;
          return woke;
        },
        hasWake: () => callbackWake,
        awaitEarlyCallback: async (timeoutMs) => {
          // Every callback here came to this job's own signed URL: any task it names is this job's.
          await condition(() => callbacks.length > 0, timeoutMs);
          return callbacks[0]?.taskId;
        },
        adoptEarlyCallbacks: (taskId) => {
          for (const cb of callbacks.splice(0)) {
            if (cb.taskId === taskId) callbackWake = true;
            else progress.callbacks.ignored++;
          }
        },
      },
    );
    return progress;
  } catch (err) {
    const cancelled = isCancellation(err);
    const error: JobError = cancelled
      ? { source: 'canceled', code: 'canceled', message: 'Canceled by request.' }
      : failureToJobError(err);
    const finalState: JobState = cancelled
      ? 'canceled'
      : error.source === 'deadline'
        ? 'timed_out'
        : 'failed';
    progress.error = error;
    setState(finalState);
    // KIE charged us once it accepted the task: a cancel after that pays the policy's part, so a
    // create → cancel loop cannot have KIE work for free (docs/architecture.md#cancel-policy).
    const charge = cancelled && progress.kieTaskId !== null ? (input.cancelCharge ?? 0) : 0;
    log.info('job ended without a video; settling the hold', {
      jobId,
      state: finalState,
      code: error.code,
      charge,
    });
    await CancellationScope.nonCancellable(() =>
      ledger.compensateJob.executeWithOptions(
        {
          summary: charge
            ? `charge ${charge} credits, release the rest (${finalState})`
            : `release hold (${finalState})`,
        },
        [{ jobId, progress: { ...progress }, ...(charge ? { charge } : {}) }],
      ),
    );
    if (cancelled) throw err; // shows as Canceled in the Temporal UI, after the refund
    return progress;
  } finally {
    // Ended, credits settled: the customer's webhook, in a workflow of its own (src/workflows/notify-customer.ts).
    await notifyCustomerOfEnd(input, all);
  }
}

interface Wakeups {
  takeWake(): boolean;
  hasWake(): boolean;
  adoptEarlyCallbacks(taskId: string): void;
  /** The task id of the first callback that reached this job, waiting up to `timeoutMs` for one. */
  awaitEarlyCallback(timeoutMs: number): Promise<string | undefined>;
}

/** How much later than firstPollAfterMs a job's first poll may come, as a fraction of it. */
const FIRST_POLL_SPREAD = 0.25;

/**
 * Jobs created in one burst reach `generating` within seconds of each other; with one fixed delay
 * their first polls would all come due together too — a record-info call and a workflow task each,
 * from a worker whose cache cannot hold them all (thousands of replays in a few seconds, with 10,000
 * jobs in flight). A random point in [1, 1 + FIRST_POLL_SPREAD] × firstPollAfterMs spreads them; later
 * polls follow each one's own. Math.random is the workflow's seeded one: a replay draws the same.
 */
function firstPollDelay(timing: Timing, spread: boolean): number {
  if (!spread) return timing.firstPollAfterMs;
  return Math.round(timing.firstPollAfterMs * (1 + FIRST_POLL_SPREAD * Math.random()));
}

/** What the steps of a running job share. */
interface JobContext {
  input: GenerateVideoInput;
  timing: Timing;
  progress: JobProgress;
  setState: (s: JobState) => void;
  enterStage: (s: JobState) => Promise<void>;
  kie: ReturnType<typeof remoteActivities>['kie'];
  archive: ReturnType<typeof remoteActivities>['archive'];
  /** The generate call, and the state the job waits for it in. */
  submit: Submitter;
  /** record-info for our task (why: the summary shown in the UI). */
  checkTask: (taskId: string, why: string) => Promise<KieTaskStatus>;
  /** One poll timer across wake-ups (see timerPerPoll). */
  cheapWakeups: boolean;
  /** From entering `generating` to the first record-info poll, unless a callback comes first. */
  firstPollDelayMs: number;
  /** Started with ALL_PATCHES_MARKER: the patches decided later are taken without their own marker. */
  allPatches: boolean;
}

interface Submitter {
  waitingState: JobState;
  call: ReturnType<typeof remoteActivities>['kie']['submitToKie'];
}

function taskChecker(
  remote: ReturnType<typeof remoteActivities>,
  local: boolean,
  market: boolean,
): JobContext['checkTask'] {
  const check = local ? remote.localKie.checkKieTask : remote.kie.checkKieTask;
  // A Market task is read from KIE's jobs API; Veo's args stay as they were.
  const args = (taskId: string) => (market ? { taskId, api: 'market' as const } : { taskId });
  return (taskId, why) => check.executeWithOptions({ summary: `record-info (${why})` }, [args(taskId)]);
}

function submitter(remote: ReturnType<typeof remoteActivities>, paced: boolean): Submitter {
  return paced
    ? { waitingState: 'queued', call: remote.pacedSubmit.submitToKie }
    : { waitingState: 'submitting', call: remote.kie.submitToKie };
}

async function runJob(ctx: JobContext, wake: Wakeups): Promise<void> {
  const { input, timing, progress, enterStage, submit } = ctx;
  const { request } = input;

  await enterStage(submit.waitingState);
  const { taskId, submittedAt } = await submitOrAdopt(ctx, wake);
  // A paced call leaves `queued` when it gets its slot: the stage list says when (the activity's time).
  if (submit.waitingState === 'queued' && submittedAt)
    progress.stages.push({ state: 'submitting', at: submittedAt });
  progress.kieTaskId = taskId;
  wake.adoptEarlyCallbacks(taskId);
  await enterStage('generating');

  // Wait: a callback wakes us early; otherwise poll record-info. Either way record-info decides.
  const started = Date.now();
  const deadline = started + timing.generationDeadlineMs;
  let nextPoll = started + ctx.firstPollDelayMs;
  const nextCheck = ctx.cheapWakeups ? timerPerPoll(wake) : timerPerWait(wake);
  for (;;) {
    const woke = await nextCheck(Math.min(nextPoll, deadline));
    const status = await ctx.checkTask(taskId, woke ? 'callback' : 'poll');
    if (status.state === 'succeeded') {
      progress.detection = {
        channel: woke ? 'callback' : 'poll',
        at: nowIso(),
        kieCompletedAt: status.completeTime,
      };
      const original = status.resultUrls[0];
      if (!original) throw kieFailure('no_result_url', 'KIE reported success without a result URL.');
      if (isMarketRequest(request)) await finishMarketTask(ctx, status.resultUrls);
      else await finishSucceededTask(ctx, { original, fallback: status.fallbackFlag });
      return;
    }
    if (status.state === 'failed') {
      throw kieFailure(String(status.errorCode ?? 'failed'), status.errorMessage || 'KIE generation failed.');
    }
    if (Date.now() >= deadline) {
      throw ApplicationFailure.nonRetryable(
        `No result from KIE within ${Math.round(timing.generationDeadlineMs / 1000)} s.`,
        'GenerationDeadline',
      );
    }
    if (!woke) nextPoll = Date.now() + timing.pollIntervalMs;
  }
}

/**
 * The generate call. When its outcome is unknown (no answer, a worker lost mid-call), KIE may have
 * made — and charged for — a task we never heard of; it is not asked again. If the call carried our
 * callback URL, KIE's callback to this job's own URL names that task when it finishes: the job waits
 * for it, up to the generation deadline, and goes on with it; otherwise it fails and is refunded
 * (docs/kie-api.md#ambiguous-submit).
 */
async function submitOrAdopt(
  ctx: JobContext,
  wake: Wakeups,
): Promise<{ taskId: string; submittedAt?: string }> {
  const { jobId, request } = ctx.input;
  try {
    return await ctx.submit.call.executeWithOptions({ summary: `submit ${request.model} to KIE` }, [
      { jobId, request },
    ]);
  } catch (err) {
    // Decided only when this happens, so histories from before (none of which waited) replay as they ran.
    if (!awaitsCallbackAfterAmbiguousSubmit(err)) throw err;
    if (!ctx.allPatches && !patched('ambiguous-submit-awaits-callback')) throw err;
    log.warn('KIE submit outcome unknown: waiting for its callback to name the task', { jobId });
    const taskId = await wake.awaitEarlyCallback(ctx.timing.generationDeadlineMs);
    if (taskId === undefined) throw err;
    log.info('KIE callback named the task of an ambiguous submit: adopted', { jobId, taskId });
    return { taskId };
  }
}

function awaitsCallbackAfterAmbiguousSubmit(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (!(cause instanceof ApplicationFailure) || cause.details?.[0] !== 'submit_ambiguous') return false;
  const details = cause.details[1] as Partial<SubmitAmbiguousDetails> | undefined;
  return details?.callbackExpected === true;
}

/** Resolves when a callback wakes the job (true) or `dueAt` comes (false: time to poll). */
type NextCheck = (dueAt: number) => Promise<boolean>;

/** Before cheap wake-ups: a timer per wait, cancelled when a callback comes first. */
function timerPerWait(wake: Wakeups): NextCheck {
  return async (dueAt) => {
    const woke = await condition(() => wake.hasWake(), Math.max(0, dueAt - Date.now()));
    wake.takeWake();
    return woke;
  };
}

/**
 * One timer per poll, kept across wake-ups: a callback then costs its signal, one workflow task and
 * record-info's marker — no timer cancelled and started again (docs/architecture.md#callbacks).
 */
function timerPerPoll(wake: Wakeups): NextCheck {
  let timer: { dueAt: number; fired: boolean } | null = null;
  return async (dueAt) => {
    if (!timer || timer.dueAt !== dueAt) {
      const t = { dueAt, fired: false };
      timer = t;
      // Not awaited: a cancel rejects it, and the condition below (cancelled with it) reports that.
      sleep(Math.max(1, dueAt - Date.now())).then(
        () => {
          t.fired = true;
        },
        () => undefined,
      );
    }
    const t = timer;
    await condition(() => wake.hasWake() || t.fired);
    if (t.fired) timer = null;
    return wake.takeWake();
  };
}

async function finishSucceededTask(
  ctx: JobContext,
  result: { original: string; fallback: boolean | null },
): Promise<void> {
  const { input, timing, progress, enterStage } = ctx;
  const request = input.request as VideoRequest; // a Veo job: finishMarketTask ends the others
  const taskId = progress.kieTaskId!;
  let hdUrl: string | null = null;

  if (request.hd) {
    if (request.aspectRatio === 'Auto' || result.fallback) {
      // KIE upgrades 16:9 and 9:16 only; legacy fallback videos cannot use the 1080P endpoint.
      progress.hd = 'not_supported';
      progress.hdNote = result.fallback ? 'fallback model video: no 1080p' : 'aspect ratio Auto: no 1080p';
    } else {
      await enterStage('fetching_hd');
      let hdFailure: string | null = null;
      hdUrl = await waitForHd(ctx, taskId).catch((err: unknown) => {
        if (isCancellation(err)) throw err;
        // KIE refused or kept failing (maintenance, 5xx past the retries): the original is the product.
        hdFailure = failureToJobError(err).message;
        return null;
      });
      progress.hd = hdUrl ? 'ready' : 'unavailable';
      if (!hdUrl) {
        progress.hdNote = hdFailure ?? `1080p not ready within ${Math.round(timing.hdWindowMs / 1000)} s`;
      }
    }
  }

  await enterStage('archiving');
  const originalFile = await archiveOne(ctx, 'original', result.original);
  progress.files.push(originalFile);
  if (hdUrl) {
    try {
      progress.files.push(await archiveOne(ctx, '1080p', hdUrl));
    } catch (err) {
      if (isCancellation(err)) throw err;
      // The original is the product; a 1080p we cannot archive degrades the job, it does not fail it.
      progress.hd = 'unavailable';
      progress.hdNote = `1080p could not be archived: ${failureToJobError(err).message}`;
    }
  }

  // The 1080p part of the hold is paid for only when the 1080p file is delivered; the ledger gives
  // the rest back in the capture's own transaction.
  const hdMissing = progress.hd === 'not_supported' || progress.hd === 'unavailable';
  await succeed(ctx, hdMissing ? input.price - (input.hdPrice ?? 0) : input.price);
}

/**
 * A Market task's results, every one archived (up to MAX_RESULT_FILES, in KIE's order: `original`,
 * `original-2` …), checked as the model's kind (images: PNG, JPEG or WebP). All of them or the job
 * fails: the user paid for each. Then the whole price is captured.
 */
async function finishMarketTask(ctx: JobContext, urls: string[]): Promise<void> {
  const { input, progress, enterStage } = ctx;
  await enterStage('archiving');
  const media = mediaKindOf(input.request);
  const files = await Promise.all(
    urls.slice(0, MAX_RESULT_FILES).map((url, i) => archiveOne(ctx, resultVariant(i), url, media)),
  );
  progress.files.push(...files);
  await succeed(ctx, input.price);
}

/** The job's end with its files: the record final and `amount` captured, in one ledger transaction. */
async function succeed({ input, progress, setState }: JobContext, amount: number): Promise<void> {
  setState('succeeded');
  await CancellationScope.nonCancellable(() =>
    ledger.finalizeJob.executeWithOptions({ summary: `capture ${amount} credits` }, [
      { jobId: input.jobId, progress: { ...progress }, amount },
    ]),
  );
}

/** Asks KIE for the 1080p until it is ready (its URL) or the HD window is over (null). */
export async function waitForHd(
  { kie, timing }: Pick<JobContext, 'kie' | 'timing'>,
  taskId: string,
): Promise<string | null> {
  const deadline = Date.now() + timing.hdWindowMs;
  for (;;) {
    // One call may itself retry (429/455/5xx): bound it by what is left of the window, so the job never
    // waits past it; a call cut short is caught by the caller like any other missing 1080p.
    const hd = await kie.fetchHd.executeWithOptions(
      { summary: 'get 1080p', scheduleToCloseTimeout: Math.max(1000, deadline - Date.now()) },
      [{ taskId }],
    );
    if (hd.status === 'ready') return hd.url;
    if (Date.now() + timing.hdRetryIntervalMs > deadline) return null;
    await sleep(timing.hdRetryIntervalMs);
  }
}

function archiveOne(
  { archive, input }: JobContext,
  variant: Variant,
  url: string,
  media?: MediaKind,
): Promise<ArchivedFile> {
  return archive.archiveFile.executeWithOptions({ summary: `archive ${variant}` }, [
    { jobId: input.jobId, variant, url, ...(media ? { media } : {}) },
  ]);
}

function nowIso(): string {
  // Date is deterministic inside the workflow sandbox (it is the workflow task's time).
  return new Date(Date.now()).toISOString();
}
