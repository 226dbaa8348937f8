/** Postgres error codes, the same from both drivers (PGlite reports the server's SQLSTATE). */
const UNIQUE_VIOLATION = '23505';

/** True when `err` is a unique violation, optionally of one named constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown };
  return e.code === UNIQUE_VIOLATION && (constraint === undefined || e.constraint === constraint);
}

/**
 * COMMIT of a transaction that a failed statement aborted (its error caught by the callback, without
 * a savepoint) rolls it back instead: the callback's result must not be reported as committed.
 */
export class RolledBackAtCommitError extends Error {
  constructor() {
    super('The transaction was rolled back at COMMIT: one of its statements had failed.');
    this.name = 'RolledBackAtCommitError';
  }
}
