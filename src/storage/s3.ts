/**
 * S3-compatible storage (AWS S3, MinIO, R2…). Uploads stream through lib-storage's multipart
 * Upload, so memory stays flat in file size (about partSize × queueSize); S3 makes the object
 * visible only once the upload completes, which gives the same "no partial object" guarantee as
 * the local rename, and a failed body aborts the multipart upload (`leavePartsOnError: false`).
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { resolveRange } from './byte-range.js';
import { contentTypeFromKey } from './content-type.js';
import { assertSafeKey, assertSafePrefixOrKey } from './keys.js';
import type { VideoStorage } from './types.js';

export interface S3StorageOptions {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Explicit credentials (tests); otherwise the AWS SDK's default chain (env, profile, role). */
  credentials?: S3ClientConfig['credentials'];
  /** Multipart part size in bytes (min 5 MiB). */
  partSize?: number;
}

const isMissing = (err: unknown) =>
  err instanceof NoSuchKey ||
  err instanceof NotFound ||
  (err as { name?: string } | null)?.name === 'NotFound';

/** Counts bytes in the pipeline rather than with a 'data' listener, which would switch the body to flowing mode. */
class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

export function createS3Storage(opts: S3StorageOptions): VideoStorage {
  const client = new S3Client({
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    forcePathStyle: opts.forcePathStyle ?? true,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    // Response checksums are checked where they mean something: `get` asks for them on whole-object
    // reads only. Some S3-compatible servers (gofakes3) send the whole object's checksum with a
    // ranged read, which the SDK's default (validate every GetObject) rejects as a mismatch.
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = opts.bucket;

  return {
    kind: 's3',
    async put(key, body, o) {
      assertSafeKey(key);
      const counter = new ByteCounter();
      // An error in `body` destroys `counter` with it, which makes the Upload fail and abort.
      pipeline(body, counter, () => undefined);
      const upload = new Upload({
        client,
        // Without an explicit type, the one local storage reports for the same key.
        params: { Bucket, Key: key, Body: counter, ContentType: o?.contentType ?? contentTypeFromKey(key) },
        partSize: opts.partSize ?? 8 * 1024 * 1024,
        queueSize: 2,
        leavePartsOnError: false,
      });
      await upload.done();
      return { size: counter.bytes };
    },
    async get(key, range) {
      assertSafeKey(key);
      // Malformed ranges fail here as they do in local storage (any size passes the size check);
      // a start past the end is S3's InvalidRange below.
      if (range) resolveRange(range, Number.MAX_SAFE_INTEGER);
      try {
        const out = await client.send(
          new GetObjectCommand({
            Bucket,
            Key: key,
            ...(range
              ? { Range: `bytes=${range.start}-${range.end ?? ''}` }
              : { ChecksumMode: 'ENABLED' as const }),
          }),
        );
        // One request: the total size comes from Content-Range, so it describes the same object version as the bytes.
        const total = out.ContentRange ? Number(out.ContentRange.split('/')[1]) : out.ContentLength;
        return {
          body: out.Body as Readable,
          size: total ?? 0,
          contentType: out.ContentType ?? contentTypeFromKey(key),
        };
      } catch (err) {
        if (isMissing(err)) return null;
        if ((err as { name?: string } | null)?.name === 'InvalidRange')
          throw new RangeError(`Unsatisfiable byte range ${range?.start}-${range?.end ?? ''} for ${key}.`);
        throw err;
      }
    },
    async stat(key) {
      assertSafeKey(key);
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { size: head.ContentLength ?? 0 };
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async delete(key) {
      assertSafeKey(key);
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },
    async presign(key, o) {
      assertSafeKey(key);
      const command = new GetObjectCommand({
        Bucket,
        Key: key,
        ResponseContentType: o.contentType,
        ResponseContentDisposition: `inline; filename="${o.filename.replace(/["\\]/g, '')}"`,
      });
      return getSignedUrl(client, command, { expiresIn: o.expiresInSeconds, signingDate: o.signedAt });
    },
    describe(key) {
      assertSafePrefixOrKey(key);
      return `s3://${Bucket}/${key}`;
    },
  };
}
