/**
 * Storage keys are relative, '/'-separated paths such as `videos/<jobId>/original.mp4`. They come
 * from our own code today, but they end up as file paths (local) and object names (S3), so they are
 * checked at the storage boundary: a key must never reach outside the storage root.
 */

export class UnsafeKeyError extends Error {
  override name = 'UnsafeKeyError';
  constructor(readonly key: string) {
    super(`Unsafe storage key: ${JSON.stringify(key)}`);
  }
}

/** S3's limit on object names; local paths are well within it on every platform we run on. */
const MAX_KEY_BYTES = 1024;

/** Rejects empty keys, absolute paths, '.', '..' and empty segments, backslashes and control characters. */
export function assertSafeKey(key: string): void {
  const unsafe =
    typeof key !== 'string' ||
    key === '' ||
    Buffer.byteLength(key) > MAX_KEY_BYTES ||
    key.startsWith('/') ||
    // Backslashes are separators on Windows; control characters (NUL above all) break file APIs.
    // eslint-disable-next-line no-control-regex
    /[\\\u0000-\u001f\u007f]/.test(key) ||
    key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..');
  if (unsafe) throw new UnsafeKeyError(key);
}

/**
 * `describe` also takes prefixes (`videos/`) for the start banner: the same rules apply to the part
 * before the trailing slash, and '' (the root) is allowed.
 */
export function assertSafePrefixOrKey(keyOrPrefix: string): void {
  if (keyOrPrefix === '') return;
  assertSafeKey(keyOrPrefix.endsWith('/') ? keyOrPrefix.slice(0, -1) : keyOrPrefix);
}

/**
 * Where a job's archived file lives: the archive writes it, the reconciler and compensation delete it.
 * Videos end in `.mp4`; images in `.image`, whatever their format (PNG, JPEG or WebP is known only
 * from the first bytes, after the key is chosen; the job's record keeps the content type).
 */
export function mediaKey(jobId: string, variant: string, kind: 'video' | 'image' = 'video'): string {
  return `videos/${jobId}/${variant}.${kind === 'image' ? 'image' : 'mp4'}`;
}
