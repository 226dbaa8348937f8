/** `storage`: writing to storage failed (disk, permissions, S3): the cause has the details. */
export type ArchiveErrorKind =
  'host_not_allowed' | 'too_large' | 'not_mp4' | 'truncated' | 'expired' | 'http' | 'network' | 'storage';

/**
 * The default classification. Permanent kinds fail the job at once (another attempt would get the
 * same bytes or the same refusal); the others are retried by the activity's retry policy. `http`
 * depends on the status, so its constructor call passes `retryable` explicitly.
 */
const PERMANENT: ReadonlySet<ArchiveErrorKind> = new Set([
  'host_not_allowed',
  'too_large',
  'not_mp4',
  'expired',
]);

/**
 * The message is for the job's user: hosts, statuses and sizes, never a URL (it carries a signature),
 * a path or a driver's text; those live in `cause`, which is logged.
 */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
  readonly retryable: boolean;
  constructor(
    readonly kind: ArchiveErrorKind,
    message: string,
    opts: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.retryable = opts.retryable ?? !PERMANENT.has(kind);
  }
}
