/**
 * The API's starts of jobs' workflows, once their credits are held (video-jobs.ts: reserveVideoJob,
 * then startReservedJob). A create waits for its own start while starts are few, so a user on a quiet
 * system learns at once when Temporal does not take the job (503, nothing kept). Under a burst the
 * create is answered as soon as its hold and record are written, and its start waits here for one of
 * the process's start slots: the user does not wait in line behind other users' starts, and Temporal
 * never sees more than `inFlight` starts at once from this process (docs/architecture.md#hold-then-start).
 *
 * What a job answered before its start can meet:
 * - its start fails: startReservedJob has given its hold back (the job is `failed`, error code
 *   `start_failed`); every failed start, waited for or not, is logged here at error;
 * - it waits longer than half the reconciler's grace period (Temporal unreachable): it is not started,
 *   its hold is given back the same way (videos.ts), so a start never follows the reconciler's release;
 * - the process dies first: the job keeps its hold and its `queued` record until the reconciler
 *   releases it, RECONCILE_GRACE_MS after it was made (as a death between hold and start always did);
 * - a cancel: it waits for the start (`settled`) before it cancels the workflow;
 * - a shutdown: `drain` makes the starts waiting here before the Temporal connection closes.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Logger } from 'pino';
import { TryLater } from '../domain/index.js';

export interface JobStartsSettings {
  /** Starts under way at once from this process (JOB_STARTS_IN_FLIGHT). */
  inFlight: number;
  /**
   * Creates answered before their start, waiting here at most (JOB_START_BACKLOG); past it a create
   * waits for its start again. 0: every create waits for its start.
   */
  backlog: number;
}

/**
 * Under way at once, up to which a create waits for its own start (if none is waiting for a slot): a
 * few at a time is a user or two creating, and their starts take a round trip; more is a burst.
 */
const INLINE_BELOW = 4;

export type StartOutcome = 'started' | 'queued';

interface Entry {
  start: () => Promise<unknown>;
  settle: { resolve: () => void; reject: (err: unknown) => void };
}

export interface JobStarts {
  /**
   * Starts the job's workflow with `start`. Resolves 'started' once it is started (or rejects with its
   * error) while few starts are under way and none waits, or when the backlog is full; otherwise
   * resolves 'queued' at once, and the start follows in turn.
   */
  start(jobId: string, start: () => Promise<unknown>): Promise<StartOutcome>;
  /** Once the job's start, if one is waiting or under way here, has been made or has failed. */
  settled(jobId: string): Promise<void>;
  /** Once no start waits or is under way here (at shutdown, before the Temporal connection closes). */
  drain(): Promise<void>;
  /** Starts under way and waiting for a slot now. */
  counts(): { inFlight: number; waiting: number };
}

export function createJobStarts(settings: JobStartsSettings, logger: Logger): JobStarts {
  if (!(settings.inFlight >= 1))
    throw new RangeError(`inFlight must be at least 1, not ${settings.inFlight}`);
  let active = 0;
  const waiting: Entry[] = [];
  /** Every start waiting or under way, by job: what a cancel or the drain waits for. */
  const unsettled = new Map<string, Promise<void>>();

  function pump(): void {
    while (active < settings.inFlight && waiting.length > 0) run(waiting.shift()!);
  }

  function run(entry: Entry): void {
    active++;
    entry
      .start()
      .then(entry.settle.resolve, entry.settle.reject)
      .finally(() => {
        active--;
        pump();
      });
  }

  return {
    async start(jobId, start) {
      const inline =
        (waiting.length === 0 && active < Math.min(INLINE_BELOW, settings.inFlight)) ||
        waiting.length >= settings.backlog;
      let settle!: Entry['settle'];
      const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
      const entry: Entry = { start, settle };
      // A repeated request (same Idempotency-Key) may hand in the same job again: wait for both.
      const before = unsettled.get(jobId);
      const quiet = done.catch(() => undefined);
      const both = before ? Promise.all([before, quiet]).then(() => undefined) : quiet;
      unsettled.set(jobId, both);
      void both.then(() => {
        if (unsettled.get(jobId) === both) unsettled.delete(jobId);
      });
      done.catch((err: unknown) => {
        // A repeated request's start meets the job's own workflow, ended or running: nothing failed.
        if (err instanceof WorkflowExecutionAlreadyStartedError) return;
        // The start gave the hold back, or, when it could not tell whether the workflow exists, left
        // it to the reconciler, which releases a hold without a workflow after its grace period.
        logger.error({ err: err instanceof TryLater ? (err.cause ?? err) : err, jobId }, 'job not started');
      });
      if (waiting.length === 0 && active < settings.inFlight) run(entry);
      else waiting.push(entry);
      if (inline) {
        await done;
        return 'started';
      }
      return 'queued';
    },

    async settled(jobId) {
      await unsettled.get(jobId);
    },

    async drain() {
      // Starts may still be handed in while the HTTP server closes: until none is left.
      while (unsettled.size > 0) await Promise.all([...unsettled.values()]);
    },

    counts() {
      return { inFlight: active, waiting: waiting.length };
    },
  };
}
