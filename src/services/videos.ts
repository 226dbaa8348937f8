/**
 * The video jobs service behind the HTTP API: create (idempotent, refused at once when credits cannot
 * be held), read, list, cancel, download. Knows nothing of HTTP: it throws the domain's errors
 * (src/domain/errors.ts), which the API maps to statuses, and gets its links from the API (links).
 */
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Prices } from '../config.js';
import { JobConflictError, onDemandHdIneligibility, type Ledger, type JobRecord } from '../ledger/index.js';
import type { Metrics } from '../observability/metrics.js';
import type { VideoStorage } from '../storage/index.js';
import { webhookUrlProblem, type WebhookTargets } from '../security/webhook-target.js';
import {
  Conflict,
  InvalidInput,
  isFinalState,
  isMarketRequest,
  isRejectionReason,
  jobViewOf,
  NotFound,
  Rejected,
  TryLater,
  Unavailable,
  type JobListView,
  type JobState,
  type JobView,
  type Variant,
  type JobRequest,
} from '../domain/index.js';
import { DEFAULT_TIMING, type Timing } from '../workflows/job-types.js';
import type { ContentLinks } from './content-links.js';
import { kieCreditsOf, priceOf } from './pricing.js';
import { createJobStarts, type JobStarts } from './job-starts.js';
import {
  jobHandle,
  releaseUnstarted,
  reserveVideoJob,
  startHdOnDemand,
  startReservedJob,
} from './video-jobs.js';

export interface VideoServiceDeps {
  temporal: Client;
  taskQueue: string;
  ledger: Ledger;
  storage: VideoStorage;
  logger: Logger;
  metrics: Metrics;
  prices: Prices;
  timing?: Partial<Timing> | undefined;
  links: ContentLinks;
  /** Where a job's webhookUrl may point (CUSTOMER_WEBHOOK_TARGETS); default `public`. */
  webhookTargets?: WebhookTargets | undefined;
  /**
   * Where creates start their jobs' workflows (job-starts.ts): the runtime gives its own, drained at
   * shutdown. Absent: every create waits for its start.
   */
  jobStarts?: JobStarts | undefined;
  /**
   * How long a create answered before its start may wait for it (half of RECONCILE_GRACE_MS): past
   * this its hold is given back instead, so the start never follows the reconciler's release of a
   * hold it found without a workflow. Absent: no limit.
   */
  startWaitLimitMs?: number | undefined;
}

/** Who reads a file: its owner (by key or session), or the bearer of a signed link to that job. */
export type ContentAccess = { userId: string } | { signedJobId: string };

/** What the seed app's 1080p route learns (see hd1080). */
export interface Hd1080Answer {
  job: JobView;
  hd: 'ready' | 'processing' | 'waiting';
}

export function requestHash(request: JobRequest): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/**
 * The files a job offers: only a succeeded job has any. A job that ended otherwise had its files
 * removed with its release; a record written before that rule may still list some, never served.
 */
function filesOf(record: JobRecord) {
  return record.state === 'succeeded' ? record.files : [];
}

export function createVideoService(deps: VideoServiceDeps) {
  const { temporal, ledger, storage } = deps;
  const hdWindowMs = deps.timing?.hdWindowMs ?? DEFAULT_TIMING.hdWindowMs;
  const jobStarts = deps.jobStarts ?? createJobStarts({ inFlight: 32, backlog: 0 }, deps.logger);

  async function view(record: JobRecord): Promise<JobView> {
    // Read from the record, not by querying the workflow: one indexed row, where a Temporal query
    // costs a worker round trip per poll (and polls then compete with the jobs for the worker). It
    // also keeps GET, the list's state filter, the content route and cancel in agreement.
    const files = await Promise.all(
      filesOf(record).map(async (f) => ({
        variant: f.variant,
        size: f.size,
        sha256: f.sha256,
        contentType: f.contentType,
        ...(await deps.links.link(record.id, f)),
        path: deps.links.path(record.id, f.variant),
      })),
    );
    return jobViewOf(record, files);
  }

  /**
   * A request that names its own webhookUrl will be notified; the user must have a secret to sign
   * with. Without one, a default URL decides, read with the hold (startVideoJob): no query here.
   */
  async function notifiesOwnUrl(userId: string, request: JobRequest): Promise<boolean> {
    if (request.webhookUrl === undefined) return false;
    const settings = await ledger.webhookSettings(userId);
    if (!settings?.sealedSecret)
      throw new InvalidInput(
        'webhookUrl',
        'this user has no webhook signing secret yet: the operator creates one (POST /admin/users/{userId}/webhook/secret)',
      );
    return true;
  }

  async function ownJob(userId: string, jobId: string): Promise<JobRecord> {
    // Another user's job is indistinguishable from a missing one (404, not 403).
    const record = await ledger.getJobForUser(jobId, userId);
    if (!record) throw new NotFound('Video');
    return record;
  }

  async function readableJob(access: ContentAccess, jobId: string): Promise<JobRecord> {
    if ('userId' in access) return ownJob(access.userId, jobId);
    // The signature names this job: checked by the route's guard against the id it carries.
    const record = access.signedJobId === jobId ? await ledger.getJob(jobId) : null;
    if (!record) throw new NotFound('Video');
    return record;
  }

  function rejection(record: JobRecord): Rejected {
    const code = record.error?.code;
    const reason = isRejectionReason(code) ? code : 'insufficient_credits';
    return new Rejected(reason, record.error?.message ?? 'The job was rejected.', record.id);
  }

  /** Where the 1080p of a job created without `hd` stands; starts fetching it when it is due. */
  async function hdOnDemand(record: JobRecord, job: JobView, retried = false): Promise<Hd1080Answer> {
    const never = (detail: string) => new Unavailable(detail, { jobId: job.id, hd: job.hd });
    // What the request rules out is final at once; the rest waits for the video to be made.
    const ineligible = onDemandHdIneligibility({ ...record, state: 'succeeded' });
    if (ineligible) throw never(`No 1080p version for this video: ${ineligible}.`);
    if (!isFinalState(record.state)) return { job, hd: 'waiting' };
    if (job.hd === 'unavailable')
      throw never(
        `The 1080p version is unavailable${job.hdNote ? ` (${job.hdNote})` : ''}; the original is at videoUrl.`,
      );
    // Pending: the fetch is under way. One that has been pending well past the HD window lost its
    // workflow (terminated by an operator): asking again restarts it, and it resumes the same hold.
    const stale = Date.now() - record.updatedAt.getTime() > hdWindowMs + 5 * 60_000;
    if (job.hd === 'pending' && !stale) return { job, hd: 'processing' };
    const reservation = await startHdOnDemand(temporal, deps.taskQueue, {
      jobId: record.id,
      userId: record.userId,
      taskId: job.kieTaskId!,
      price: deps.prices.hd,
      ...(deps.timing ? { timing: deps.timing } : {}),
    });
    switch (reservation.status) {
      case 'held':
        return { job: await view((await ledger.getJob(record.id)) ?? record), hd: 'processing' };
      case 'refused':
        throw new Rejected(reservation.reason, reservation.message, record.id);
      case 'ineligible':
        throw never(`No 1080p version for this video: ${reservation.message}.`);
      case 'settled': {
        // Delivered or given up on since we read the record: answer from the record as it is now.
        const now = (await ledger.getJob(record.id)) ?? record;
        const nowView = await view(now);
        if (nowView.files.some((f) => f.variant === '1080p')) return { job: nowView, hd: 'ready' };
        if (retried) return { job: nowView, hd: 'processing' };
        return hdOnDemand(now, nowView, true);
      }
    }
  }

  return {
    async create(userId: string, request: JobRequest, idempotencyKey?: string): Promise<JobView> {
      const urlProblem =
        request.webhookUrl !== undefined &&
        webhookUrlProblem(request.webhookUrl, deps.webhookTargets ?? 'public');
      if (urlProblem) throw new InvalidInput('webhookUrl', urlProblem);
      const hash = requestHash(request);
      const earlier = async () =>
        idempotencyKey ? await ledger.findJobByIdempotencyKey(userId, idempotencyKey) : null;
      const existing = await earlier();
      if (existing) return replay(existing, hash);
      let reserved;
      try {
        reserved = await reserveVideoJob(ledger, {
          userId,
          request,
          ...priceOf(deps.prices, request),
          kieCredits: kieCreditsOf(deps.prices, request),
          ...(idempotencyKey ? { idempotency: { key: idempotencyKey, requestHash: hash } } : {}),
          ...(deps.timing ? { timing: deps.timing } : {}),
          notify: await notifiesOwnUrl(userId, request),
        });
      } catch (err) {
        // The same key raced us and its job already finished: answer from its record.
        const raced = err instanceof JobConflictError ? await earlier() : null;
        if (raced) return replay(raced, hash);
        throw err;
      }
      const { record, input } = reserved;
      if (idempotencyKey && record.requestHash && record.requestHash !== hash) throw conflict();
      if (input === null) {
        deps.metrics.jobsRejected.inc({ reason: reserved.reservation.reason });
        throw rejection(record);
      }
      const acceptedAt = Date.now();
      const start = async () => {
        if (deps.startWaitLimitMs !== undefined && Date.now() - acceptedAt > deps.startWaitLimitMs) {
          const message = 'The job waited too long for its start; its credits were released.';
          await releaseUnstarted(ledger, record.id, message);
          throw new TryLater(message, 5);
        }
        return startReservedJob(temporal, deps.taskQueue, ledger, input);
      };
      try {
        await jobStarts.start(record.id, start);
      } catch (err) {
        // The same key raced us and its job already finished: answer from its record.
        const raced = err instanceof WorkflowExecutionAlreadyStartedError ? await earlier() : null;
        if (raced) return replay(raced, hash);
        throw err; // logged by the job starts
      }
      deps.metrics.jobsCreated.inc({ model: request.model });
      return view(record);
    },

    async get(userId: string, jobId: string): Promise<JobView> {
      return view(await ownJob(userId, jobId));
    },

    async list(
      userId: string,
      q: { state?: JobState | undefined; cursor?: string | undefined; limit: number },
    ): Promise<JobListView> {
      // An unknown cursor: the ledger throws the domain's InvalidCursor.
      const page = await ledger.listJobs(userId, q);
      return { data: await Promise.all(page.jobs.map(view)), nextCursor: page.nextCursor };
    },

    async cancel(userId: string, jobId: string): Promise<JobView> {
      const record = await ownJob(userId, jobId);
      if (isFinalState(record.state)) {
        throw new Conflict(`The job already ended (${record.state}).`);
      }
      // A create answered before its start (job-starts.ts): its workflow is started first.
      await jobStarts.settled(jobId);
      try {
        await jobHandle(temporal, jobId).cancel();
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        // No workflow: its start failed (the record says so now), another API process is still
        // starting it, or its API died first (the reconciler releases it after its grace period).
        const now = await ownJob(userId, jobId);
        if (isFinalState(now.state)) return view(now);
        throw new TryLater('The job is still being started; cancel it again in a moment.', 1);
      }
      return view(record);
    },

    /**
     * A file of a job and its bytes, from one read of the job: `rangeOf` picks the bytes from the
     * file's size (it may throw, to refuse the range before the file is opened).
     */
    async download(
      access: ContentAccess,
      jobId: string,
      variant: Variant,
      rangeOf: (size: number) => { start: number; end: number } | null = () => null,
    ) {
      const record = await readableJob(access, jobId);
      const file = filesOf(record).find((f) => f.variant === variant);
      if (!file) throw new NotFound(`The ${variant} file of this video`);
      const range = rangeOf(file.size);
      const stored = await storage.get(file.key, range ?? undefined);
      if (!stored) throw new NotFound('Archived file');
      return { file, range, body: stored.body };
    },

    /**
     * The seed application's 1080p route: the job of a KIE task and where its 1080p stands — archived
     * (`ready`), on its way (`processing`), the video itself still being made (`waiting`), or never (a
     * domain error naming why). A job created with `hd` is answered from its record; one created
     * without gets its 1080p on demand (src/workflows/fetch-hd-on-demand.ts), charged once delivered.
     */
    async hd1080(userId: string, taskId: string): Promise<Hd1080Answer> {
      const record = await ledger.findJobByKieTaskId(userId, taskId);
      if (!record) throw new NotFound('Video');
      const job = await view(record);
      if (job.files.some((f) => f.variant === '1080p')) return { job, hd: 'ready' };
      const details = { jobId: job.id, state: job.state, hd: job.hd };
      if (record.state !== 'succeeded' && isFinalState(record.state)) {
        const why = job.error ? `: ${job.error.message}` : '';
        throw new Conflict(`The job ended ${job.state}${why}; it has no 1080p version.`, details);
      }
      // A Market job is refused there, naming why.
      if (isMarketRequest(record.request) || !record.request.hd) return hdOnDemand(record, job);
      const note = job.hdNote ? ` (${job.hdNote})` : '';
      if (job.hd === 'not_supported')
        throw new Unavailable(
          `KIE makes no 1080p version of this video${note}; the original is at videoUrl.`,
          details,
        );
      if (job.hd === 'unavailable')
        throw new Unavailable(
          `The 1080p version is unavailable${note}; the original is at videoUrl.`,
          details,
        );
      if (record.state === 'succeeded')
        throw new Unavailable('The job succeeded without a 1080p version.', details);
      return { job, hd: 'processing' };
    },
  };

  async function replay(existing: JobRecord, hash: string) {
    if (existing.requestHash && existing.requestHash !== hash) throw conflict();
    if (existing.state === 'rejected') throw rejection(existing);
    return view(existing);
  }
}

function conflict(): Conflict {
  return new Conflict('This Idempotency-Key was already used with a different request body.');
}

export type VideoService = ReturnType<typeof createVideoService>;
