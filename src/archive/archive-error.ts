export type ArchiveErrorKind =
  'host_not_allowed' | 'too_large' | 'not_mp4' | 'truncated' | 'expired' | 'http' | 'network';

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
