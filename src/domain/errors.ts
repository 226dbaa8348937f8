/**
 * What can go wrong for a caller, in the domain's words. Services throw these; the API maps them to
 * HTTP statuses in one place (src/api/problem.ts), the CLI reads them back from problem+json.
 */
import type { RejectionReason } from './job.js';

export abstract class DomainError extends Error {}

/** The thing does not exist, or belongs to someone else (indistinguishable on purpose). */
export class NotFound extends DomainError {
  override name = 'NotFound';
  constructor(readonly what: string) {
    super(`${what} not found.`);
  }
}

/** The request contradicts the current state: a reused Idempotency-Key, a job that already ended. */
export class Conflict extends DomainError {
  override name = 'Conflict';
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** What was asked for does not exist and never will (a 1080p KIE will not make): the message says why. */
export class Unavailable extends DomainError {
  override name = 'Unavailable';
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A part we depend on did not answer; nothing was kept (credits held for the request are back). */
export class TryLater extends DomainError {
  override name = 'TryLater';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The job was refused before anything was spent. */
export class Rejected extends DomainError {
  override name = 'Rejected';
  constructor(
    readonly reason: RejectionReason,
    message: string,
    readonly jobId: string,
  ) {
    super(message);
  }
}

/** A list cursor that this API did not hand out. */
export class InvalidCursor extends DomainError {
  override name = 'InvalidCursor';
  constructor() {
    super('not a cursor from this API');
  }
}

/** A value the request may not carry, beyond what its schema can say (e.g. a grant past the maximum balance). */
export class InvalidInput extends DomainError {
  override name = 'InvalidInput';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
