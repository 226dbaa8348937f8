/**
 * Turning failures into the job's user-facing error, inside the workflow sandbox. Activities word their
 * failures for the user (src/activities/public-failures.ts: internal text stays in the worker's log
 * under a reference); anything else that reaches here is not shown as it is.
 */
import { ActivityFailure, ApplicationFailure, log, TimeoutFailure } from '@temporalio/workflow';
import type { JobError } from '../domain/index.js';

/** A task KIE reported as failed: not retried, the job fails with KIE's own reason. */
export function kieFailure(code: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'KieTaskFailed', message, nonRetryable: true, details: [code] });
}

/** Error types thrown by activities (ApplicationFailure.type) → where the job failed. */
const SOURCES: Record<string, JobError['source']> = {
  KieTaskFailed: 'kie',
  KieRejected: 'kie',
  KieError: 'kie',
  ArchiveError: 'archive',
  GenerationDeadline: 'deadline',
};

export function failureToJobError(err: unknown): JobError {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const detail = cause.details?.[0];
    return {
      source: SOURCES[cause.type ?? ''] ?? 'internal',
      code:
        typeof detail === 'string' || typeof detail === 'number' ? String(detail) : (cause.type ?? 'error'),
      message: cause.message,
    };
  }
  if (cause instanceof TimeoutFailure) {
    return {
      source: 'internal',
      code: 'activity_timeout',
      message: `An activity timed out (${cause.timeoutType}).`,
    };
  }
  // Not an activity's failure: the workflow's own error. Its text goes to the worker's log (and the
  // workflow history keeps it), not to the user.
  log.warn('job failed on an internal error', { error: err instanceof Error ? err.message : String(err) });
  return { source: 'internal', code: 'error', message: 'An internal error stopped the job.' };
}
