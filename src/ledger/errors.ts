/** Errors the ledger throws for caller mistakes (as opposed to refusals, which are results). */

export class UnknownUserError extends Error {
  override name = 'UnknownUserError';
  constructor(readonly userId: string) {
    super(`unknown user ${userId}`);
  }
}

/**
 * A job id reused with different facts (another user, another amount), or credits asked for a job
 * that already finished. Replays are fine; contradictions are bugs and must not move credits.
 */
export class JobConflictError extends Error {
  override name = 'JobConflictError';
  constructor(
    readonly jobId: string,
    detail: string,
  ) {
    super(`job ${jobId}: ${detail}`);
  }
}

/** Another job of this user already uses this idempotency key. */
export class IdempotencyKeyConflictError extends Error {
  override name = 'IdempotencyKeyConflictError';
  constructor(
    readonly userId: string,
    readonly idempotencyKey: string,
  ) {
    super(`user ${userId} already has a job with idempotency key ${JSON.stringify(idempotencyKey)}`);
  }
}

/** finalizeJob on a job that holds nothing: succeeding it would deliver a video nobody paid for. */
export class MissingHoldError extends Error {
  override name = 'MissingHoldError';
  constructor(readonly jobId: string) {
    super(`job ${jobId} has no credit hold to capture`);
  }
}

/** A grant that would carry the user's balance past MAX_CREDITS (see src/config.ts). */
export class CreditLimitError extends Error {
  override name = 'CreditLimitError';
  constructor(
    readonly userId: string,
    readonly limit: number,
  ) {
    super(`user ${userId}: a balance cannot exceed ${limit} credits`);
  }
}
