import type { Readable } from 'node:stream';

/** What `put` accepts: a Node stream, or any old-style readable (both go through `stream.pipeline`). */
export type PutBody = NodeJS.ReadableStream | Readable;

/** An inclusive byte range; `end` omitted means "to the end of the object". */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface StoredObject {
  /** Only the requested range's bytes when a range was given. */
  body: Readable;
  /** The whole object's size, whatever the range (for Content-Range). */
  size: number;
  contentType: string;
}

export interface PresignOptions {
  /** The signature's time (a period's start, so repeated calls in one period give one URL). */
  signedAt: Date;
  /** Valid this long after `signedAt`. */
  expiresInSeconds: number;
  /** Response headers the URL asks for. */
  contentType: string;
  filename: string;
}

/**
 * Where archived videos live: a local directory, or an S3-compatible bucket.
 *
 * The contract both implementations keep: an object is either absent or complete. `put` streams to
 * a name nobody reads (a temporary file, or an S3 multipart upload that is not yet completed) and
 * makes it visible under `key` in one step (rename, CompleteMultipartUpload); when the body fails,
 * whatever was written is removed (unlink, AbortMultipartUpload). Two concurrent `put`s of the
 * same key leave one of the two bodies, whole.
 */
export interface VideoStorage {
  kind: 'local' | 's3';
  /** Streams `body` to a temporary name, then makes it visible under `key` atomically. Returns bytes written. */
  put(key: string, body: PutBody, opts?: { contentType?: string }): Promise<{ size: number }>;
  /** A readable for [start, end] inclusive (or the whole object), plus the total size; null when missing. */
  get(key: string, range?: ByteRange): Promise<StoredObject | null>;
  stat(key: string): Promise<{ size: number } | null>;
  /** Removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * A URL that reads the object without credentials until it expires (S3: a presigned GetObject).
   * Absent when the storage has no such URLs: the API then signs links to its own content route.
   */
  presign?(key: string, opts: PresignOptions): Promise<string>;
  /** A human-readable location (file path, s3://bucket/key) for logs and the UI. A prefix ending in '/' is accepted. */
  describe(key: string): string;
}
