/**
 * What an activity's failure may say. It becomes the job's `error.message` or `hdNote`, which the API
 * shows to the user, so it is written for them: failures we classified (KIE's answers, archive errors)
 * keep their wording; anything else — a file path, an S3 or driver message, a stack — stays in the
 * worker's log under a reference, and the failure says only that something internal failed, with that
 * reference (docs/operations.md#logs). Retry behaviour is unchanged: the failure keeps the error's type
 * and is retryable, as a plain error thrown by an activity is.
 */
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { KieError } from '../kie/index.js';
import { newErrorRef } from '../observability/error-ref.js';

/** Permanent KIE answers become non-retryable failures carrying KIE's code; the rest are retried. */
export function kieErrorFailure(err: KieError): ApplicationFailure {
  if (err.kind === 'permanent') {
    return ApplicationFailure.nonRetryable(
      `KIE ${err.endpoint}: ${err.msg}`,
      'KieRejected',
      String(err.code),
    );
  }
  return ApplicationFailure.retryable(`KIE ${err.endpoint}: ${err.msg}`, 'KieError', String(err.code));
}

/** An unexpected error as a failure the user may read; the error itself is logged under the reference. */
export function internalFailure(
  err: unknown,
  logger: Logger,
  what: { activity: string; type?: string; code?: string; context?: Record<string, unknown> },
): ApplicationFailure {
  const ref = newErrorRef();
  logger.error({ err, ref, activity: what.activity, ...what.context }, 'activity failed: internal error');
  return ApplicationFailure.create({
    message: `An internal error stopped ${what.activity} (ref ${ref}).`,
    type: what.type ?? (err instanceof Error ? err.name : 'Error'),
    ...(what.code ? { details: [what.code] } : {}),
  });
}

/**
 * Every activity of `activities`, with failures made public: Temporal's own (ApplicationFailure we
 * threw, cancellation) pass as they are, KIE's errors are classified, the rest become internalFailure.
 */
export function withPublicFailures<A extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: A,
  logger: Logger,
): A {
  const wrapped: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args) => {
      try {
        return await fn(...args);
      } catch (err) {
        if (err instanceof TemporalFailure) throw err;
        if (err instanceof KieError) throw kieErrorFailure(err);
        throw internalFailure(err, logger, { activity: name });
      }
    };
  }
  return wrapped as A;
}
