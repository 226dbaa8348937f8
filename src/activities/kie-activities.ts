/**
 * Activities that talk to KIE: submit, task status, 1080p — for Veo and for the Market models (KIE's
 * jobs API), whose answers are turned into one KieTaskStatus. Each classifies KIE's answer for Temporal.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  isAmbiguousSubmitFailure,
  jobCallbackToken,
  KieError,
  type KieClient,
  type MarketTaskRecord,
  type VeoGenerateRequest,
} from '../kie/index.js';
import { isMarketRequest, marketTaskOf, type JobRequest, type VideoRequest } from '../domain/index.js';
import { SUBMIT_HEARTBEAT_MS, type SubmitAmbiguousDetails } from '../workflows/job-types.js';
import type { ActivityDeps } from './deps.js';
import { kieErrorFailure } from './public-failures.js';
import { createTurns, type Turns } from './turns.js';

export interface KieTaskStatus {
  state: 'generating' | 'succeeded' | 'failed';
  resultUrls: string[];
  /** KIE's code: a number for Veo; a Market task's failCode as KIE wrote it (a string). */
  errorCode: number | string | null;
  errorMessage: string | null;
  fallbackFlag: boolean | null;
  completeTime: string | null;
}

export function createKieActivities(deps: ActivityDeps) {
  const { kie, ledger, logger } = deps;
  /** This worker's generate calls wait for KIE's window one at a time, in the order they came. */
  const windowTurns = createTurns();

  return {
    /**
     * One generate call, paced: it waits for a slot in KIE's window (kept across every worker in the
     * database), sends, and records how the call ended. On a retry, an earlier call KIE accepted (its
     * worker died before reporting) gives its task back; one that never reported back or whose outcome
     * is unknown fails the job as ambiguous instead of sending again.
     */
    async submitToKie(args: {
      jobId: string;
      request: JobRequest;
    }): Promise<{ taskId: string; submittedAt?: string }> {
      const slot = await waitForKieSlot(deps, windowTurns, args.jobId);
      if ('taskId' in slot) {
        logger.warn(
          { jobId: args.jobId, taskId: slot.taskId },
          'KIE accepted an earlier call of this job: adopting its task',
        );
        return { taskId: slot.taskId };
      }
      const { slotId } = slot;
      // Heartbeats during the call: a worker that dies in it is noticed at the heartbeat timeout, not
      // the activity's whole limit — and its retry then fails as ambiguous (waitForKieSlot).
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat(), SUBMIT_HEARTBEAT_MS);
      const callBackUrl = callbackUrl(deps, args.jobId);
      try {
        const { taskId } = isMarketRequest(args.request)
          ? await kie.marketCreateTask({
              ...marketTaskOf(args.request),
              ...(callBackUrl ? { callBackUrl } : {}),
            })
          : await kie.generate(toKieRequest(args.request, callBackUrl));
        await recordAccepted(deps, slotId, taskId);
        logger.info({ jobId: args.jobId, taskId }, 'submitted to KIE');
        return { taskId, submittedAt: new Date().toISOString() };
      } catch (err) {
        if (!(err instanceof KieError)) throw err; // outcome left open: a retry fails as ambiguous
        const ambiguous = isAmbiguousSubmitFailure(err);
        await ledger.recordKieSubmission(slotId, ambiguous ? 'ambiguous' : 'refused');
        if (err.code === 402) {
          // Our KIE account is out of credits: stop taking jobs until an operator tops up and closes it.
          await ledger.openBreaker(`KIE answered 402: ${err.msg}`, 'kie_402');
          logger.error({ jobId: args.jobId }, 'KIE account out of credits: spend breaker opened');
        }
        if (ambiguous) {
          // Ambiguous (no answer after the request was sent, or a success reply without a task id): KIE
          // may have created a (paid) task whose id we never saw.
          // KIE has no list or cancel endpoint, so a blind retry can pay twice: never sent again. The
          // workflow then waits for KIE's callback to name the task, or fails the job and refunds it.
          logger.warn({ jobId: args.jobId, err: err.message }, 'KIE submit outcome unknown: not retried');
          throw submitAmbiguous(callBackUrl !== undefined);
        }
        throw kieErrorFailure(err);
      } finally {
        clearInterval(beat);
      }
    },

    /** `api: 'market'` for a Market task (absent: Veo's record-info, as before Market jobs). */
    async checkKieTask(args: { taskId: string; api?: 'market' }): Promise<KieTaskStatus> {
      try {
        if (args.api === 'market') return marketStatus(await kie.marketRecordInfo(args.taskId));
        const r = await kie.recordInfo(args.taskId);
        return {
          state: r.state,
          resultUrls: r.resultUrls,
          errorCode: r.errorCode,
          errorMessage: r.errorMessage,
          fallbackFlag: r.fallbackFlag,
          completeTime: r.completeTime ? r.completeTime.toISOString() : null,
        };
      } catch (err) {
        throw err instanceof KieError ? kieErrorFailure(err) : err;
      }
    },

    async fetchHd(args: {
      taskId: string;
    }): Promise<{ status: 'ready'; url: string } | { status: 'pending'; message: string }> {
      try {
        return await kie.get1080p(args.taskId, 0);
      } catch (err) {
        // A refusal is final (not retried, no use asking again within the HD window); the workflow
        // turns it into "1080p unavailable" and keeps the original.
        throw err instanceof KieError ? kieErrorFailure(err) : err;
      }
    },
  };
}

export function callbackUrl(deps: Pick<ActivityDeps, 'publicBaseUrl' | 'webhookSecret'>, jobId: string) {
  if (!deps.publicBaseUrl) return undefined;
  const token = jobCallbackToken(deps.webhookSecret, jobId);
  const url = new URL(`/webhooks/kie/${encodeURIComponent(jobId)}`, deps.publicBaseUrl);
  url.searchParams.set('token', token);
  return url.toString();
}

function toKieRequest(r: VideoRequest, callBackUrl: string | undefined): VeoGenerateRequest {
  return {
    prompt: r.prompt,
    model: r.model,
    generationType: r.generationType,
    ...(r.imageUrls.length ? { imageUrls: r.imageUrls } : {}),
    aspectRatio: r.aspectRatio,
    ...(r.seed !== undefined ? { seeds: r.seed } : {}),
    ...(r.watermark ? { watermark: r.watermark } : {}),
    enableTranslation: r.enableTranslation,
    ...(callBackUrl ? { callBackUrl } : {}),
  };
}

export type { KieClient };

/**
 * A Market task's record as the workflow reads a Veo one. A Sora-type result without clean URLs falls
 * back to its watermarked ones (docs/kie-api.md#market).
 */
function marketStatus(r: MarketTaskRecord): KieTaskStatus {
  const urls = r.resultUrls.length ? r.resultUrls : r.resultWaterMarkUrls;
  return {
    state: r.state === 'success' ? 'succeeded' : r.state === 'fail' ? 'failed' : 'generating',
    resultUrls: r.state === 'success' ? urls : [],
    errorCode: r.failCode,
    errorMessage: r.failMsg,
    fallbackFlag: null,
    completeTime: r.completeTime ? r.completeTime.toISOString() : null,
  };
}

/**
 * Not retried: KIE may have made (and charged for) a task whose id we never saw. When the call carried
 * our callback URL, KIE's callback will name that task; the workflow waits for it before giving up
 * (docs/kie-api.md#ambiguous-submit).
 */
function submitAmbiguous(callbackExpected: boolean): ApplicationFailure {
  const details: SubmitAmbiguousDetails = { callbackExpected };
  return ApplicationFailure.nonRetryable(
    'KIE did not confirm the submission (no answer, or no task id); not retried, to avoid paying twice.',
    'KieRejected',
    'submit_ambiguous',
    details,
  );
}

/**
 * A slot to send in, or the task an earlier, accepted call of this job already made. Waits
 * (heartbeating, cancellable) for its turn among this worker's calls, then until KIE's window has room
 * for this job's call; the slot is taken in the same transaction that finds the room, so no two
 * workers take the last one.
 */
async function waitForKieSlot(
  deps: ActivityDeps,
  turns: Turns,
  jobId: string,
): Promise<{ slotId: number } | { taskId: string }> {
  const ctx = Context.current();
  // Behind this worker's earlier calls, heartbeating: a cancel (the job's) still reaches this one. Not
  // at once: most calls get their turn and their slot within a second, and a heartbeat is a write.
  const beat = setInterval(() => ctx.heartbeat(), SUBMIT_HEARTBEAT_MS);
  let release: () => void;
  try {
    release = await turns.take(ctx.cancellationSignal);
  } finally {
    clearInterval(beat);
  }
  try {
    return await checkWindowUntilDecided(deps, jobId);
  } finally {
    release();
  }
}

/** The first in line: checks KIE's window until this job's call may go, or need not. */
async function checkWindowUntilDecided(
  deps: ActivityDeps,
  jobId: string,
): Promise<{ slotId: number } | { taskId: string }> {
  const { ledger, kiePace, logger } = deps;
  const ctx = Context.current();
  for (;;) {
    const slot = await ledger.acquireKieSlot(jobId, kiePace);
    if (slot.kind === 'granted') return { slotId: slot.slotId };
    if (slot.kind === 'accepted') return { taskId: slot.taskId };
    if (slot.kind === 'ended') {
      throw ApplicationFailure.nonRetryable('The job ended while it waited for KIE.', 'JobEnded');
    }
    if (slot.kind === 'ambiguous') {
      logger.warn({ jobId }, 'an earlier KIE submit of this job never reported back: not sent again');
      throw submitAmbiguous(callbackUrl(deps, jobId) !== undefined);
    }
    ctx.heartbeat();
    await ctx.sleep(Math.min(slot.waitMs, 1000));
  }
}

/** How long an accepted call's task id is retried into the database (a Postgres restart takes seconds). */
const RECORD_ACCEPTED_FOR_MS = 30_000;

/**
 * KIE made the task: its id must reach the record, or the retry would find an open call and fail the
 * job as ambiguous. A database that is briefly away (a restart, a failover) is waited for.
 */
async function recordAccepted({ ledger, logger }: ActivityDeps, slotId: number, taskId: string) {
  const ctx = Context.current();
  const giveUpAt = Date.now() + RECORD_ACCEPTED_FOR_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await ledger.recordKieSubmission(slotId, 'accepted', taskId);
      return;
    } catch (err) {
      if (Date.now() >= giveUpAt) throw err;
      logger.warn(
        { taskId, attempt, err: (err as Error).message },
        'recording an accepted KIE task: retrying',
      );
      ctx.heartbeat();
      await ctx.sleep(Math.min(250 * 2 ** attempt, 2_000));
    }
  }
}
