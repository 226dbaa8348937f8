/**
 * The S3 VideoStorage against a real S3-compatible server on loopback (gofakes3, in memory, built
 * from the Go module proxy into .cache/gofakes3/): the shared contract, then what only S3 shows —
 * multipart uploads (the contract's bodies all fit in one PutObject), aborts, metadata.
 *
 * Every test gets a bucket of its own. Its cleanup proves nothing was left behind: the bucket holds
 * exactly the keys whose put succeeded (and were not deleted since), with no multipart upload in
 * progress; then the bucket is emptied and deleted.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type MultipartUpload,
  S3Client,
} from '@aws-sdk/client-s3';
import { ConfigError, loadConfig } from '../../src/config.js';
import { provisionGoTool } from '../../src/dev-tools/go-tool.js';
import { type FakeS3, GOFAKES3, startFakeS3 } from '../../src/dev-tools/gofakes3.js';
import { createStorage } from '../../src/runtime/storage.js';
import { createContentSignatures } from '../../src/security/content-signature.js';
import { contentPath } from '../../src/api/routes/videos.js';
import { createContentLinks } from '../../src/services/content-links.js';
import { createS3Storage } from '../../src/storage/s3.js';
import type { VideoStorage } from '../../src/storage/index.js';
import { storageContract } from './storage-contract.js';
import { bodyOf, readAll, trickle } from './stream-helpers.js';

// The SDK warns once per process that its 2027 releases will need Node 22; the project runs on 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const REGION = 'us-east-1';
// gofakes3 checks no signature; any pair works, and an explicit pair keeps the default chain out.
const credentials = { accessKeyId: 'test-access-key', secretAccessKey: 'test-secret-key' };
const MiB = 1024 * 1024;
/** S3's smallest part (all but the last); the storage under test uses it so bodies stay small. */
const PART_SIZE = 5 * MiB;

let server: FakeS3 | undefined;
let admin: S3Client | undefined;
let buckets = 0;

/** A fresh bucket and a storage on it that records which keys should exist. */
async function bucketWithStorage() {
  const s3 = admin!;
  const Bucket = `contract-${process.pid}-${++buckets}`;
  await s3.send(new CreateBucketCommand({ Bucket }));
  const inner = createS3Storage({
    bucket: Bucket,
    region: REGION,
    endpoint: server!.endpoint,
    forcePathStyle: true,
    credentials,
    partSize: PART_SIZE,
  });
  const expected = new Set<string>();
  const storage: VideoStorage = {
    ...inner,
    async put(key, body, opts) {
      const written = await inner.put(key, body, opts);
      expected.add(key);
      return written;
    },
    async delete(key) {
      await inner.delete(key);
      expected.delete(key);
    },
  };

  const cleanup = async () => {
    const uploads = await listUploads(Bucket);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    try {
      assert.deepEqual(
        uploads.map((u) => `${u.Key} (${u.UploadId})`),
        [],
        'multipart uploads left in progress',
      );
      assert.equal(listed.IsTruncated, false);
      assert.deepEqual(keys.sort(), [...expected].sort(), 'objects other than the successful puts');
    } finally {
      for (const u of uploads) {
        await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: u.Key, UploadId: u.UploadId }));
      }
      for (const Key of keys) await s3.send(new DeleteObjectCommand({ Bucket, Key }));
      await s3.send(new DeleteBucketCommand({ Bucket }));
    }
  };
  return { storage, cleanup, Bucket };
}

/** Multipart uploads in progress. gofakes3 answers NoSuchUpload for a bucket that never had one. */
async function listUploads(Bucket: string): Promise<MultipartUpload[]> {
  try {
    const out = await admin!.send(new ListMultipartUploadsCommand({ Bucket }));
    assert.equal(out.IsTruncated ?? false, false);
    return out.Uploads ?? [];
  } catch (err) {
    if ((err as Error).name === 'NoSuchUpload') return [];
    throw err;
  }
}

async function withBucket(fn: (storage: VideoStorage, Bucket: string) => Promise<void>): Promise<void> {
  const { storage, cleanup, Bucket } = await bucketWithStorage();
  try {
    await fn(storage, Bucket);
  } finally {
    await cleanup();
  }
}

const sha256 = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Each 4-byte word holds its own offset, so a part stored twice, lost or out of order shows. */
function patterned(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4) b.writeUInt32LE(i, i);
  return b;
}

/**
 * Emits `bytes` in 64 KiB chunks (a download), pausing after `pauseAt` bytes until `resume()`, then
 * failing with `error` at the end when one is given.
 */
function download(bytes: Buffer, opts: { pauseAt?: number; error?: Error } = {}) {
  let resume!: () => void;
  const resumed = new Promise<void>((r) => (resume = r));
  const body = Readable.from(
    (async function* () {
      for (let at = 0; at < bytes.length; at += 64 * 1024) {
        if (at === opts.pauseAt) await resumed;
        yield bytes.subarray(at, at + 64 * 1024);
      }
      if (opts.error) throw opts.error;
    })(),
  );
  return { body, resume };
}

/** Waits until the bucket has a multipart upload in progress for `key`. */
async function uploadInProgress(Bucket: string, key: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await listUploads(Bucket)).some((u) => u.Key === key)) {
    if (Date.now() > deadline) assert.fail(`no multipart upload of ${key} started`);
    await setTimeout(20);
  }
}

void describe('s3 storage on gofakes3', () => {
  before(async () => {
    const tool = await provisionGoTool(GOFAKES3, { projectRoot: path.resolve(import.meta.dirname, '../..') });
    server = await startFakeS3({ binPath: tool.path });
    admin = new S3Client({ region: REGION, endpoint: server.endpoint, forcePathStyle: true, credentials });
  });
  after(async () => {
    admin?.destroy();
    await server?.stop();
  });

  storageContract('s3', () => bucketWithStorage());

  void it('uploads a body of several parts whole, visible only once complete, with the right SHA-256', async () => {
    await withBucket(async (storage, Bucket) => {
      const key = 'videos/j1/original.mp4';
      const bytes = patterned(2 * PART_SIZE + 123_456);
      const { body, resume } = download(bytes, { pauseAt: PART_SIZE + 1024 * 1024 });
      const putting = storage.put(key, body);
      // The first part is uploaded and the body is paused: a multipart upload is in progress,
      // and nothing is readable under the key yet.
      await uploadInProgress(Bucket, key);
      assert.equal(await storage.stat(key), null);
      assert.equal(await storage.get(key), null);
      resume();
      assert.deepEqual(await putting, { size: bytes.length });
      assert.deepEqual(await listUploads(Bucket), [], 'the upload was completed');

      assert.deepEqual(await storage.stat(key), { size: bytes.length });
      const got = await storage.get(key);
      assert.ok(got);
      assert.equal(got.size, bytes.length);
      assert.equal(sha256(await readAll(got.body)), sha256(bytes));
      // A range across the first part boundary.
      const range = await storage.get(key, { start: PART_SIZE - 10, end: PART_SIZE + 9 });
      assert.ok(range);
      assert.equal(range.size, bytes.length);
      assert.deepEqual(await readAll(range.body), bytes.subarray(PART_SIZE - 10, PART_SIZE + 10));
    });
  });

  void it('a body failing after a part was uploaded aborts the multipart upload and leaves nothing', async () => {
    await withBucket(async (storage, Bucket) => {
      const key = 'videos/j1/original.mp4';
      const boom = new Error('connection reset');
      const { body, resume } = download(patterned(PART_SIZE + 2 * 1024 * 1024), {
        pauseAt: PART_SIZE + 1024 * 1024,
        error: boom,
      });
      const putting = storage.put(key, body);
      await uploadInProgress(Bucket, key);
      resume();
      await assert.rejects(putting, (err) => err === boom, 'put rejects with the body’s own error');
      assert.deepEqual(await listUploads(Bucket), [], 'the multipart upload was aborted');
      assert.equal(await storage.stat(key), null);
    });
  });

  void it('a failing multipart put over an existing object leaves the previous object intact', async () => {
    await withBucket(async (storage) => {
      const previous = patterned(PART_SIZE + 1000);
      await storage.put('videos/j1/original.mp4', download(previous).body);
      const failing = download(bodyOf(9, 2 * PART_SIZE + 1), { error: new Error('reset') });
      await assert.rejects(storage.put('videos/j1/original.mp4', failing.body), /reset/);
      const got = await storage.get('videos/j1/original.mp4');
      assert.ok(got);
      assert.equal(sha256(await readAll(got.body)), sha256(previous));
    });
  });

  void it('a put the server refuses rejects with the S3 error and stops reading the body', async () => {
    const storage = createS3Storage({
      bucket: `missing-${process.pid}`,
      region: REGION,
      endpoint: server!.endpoint,
      forcePathStyle: true,
      credentials,
      partSize: PART_SIZE,
    });
    for (const size of [1000, 3 * PART_SIZE]) {
      const { body } = download(patterned(size));
      await assert.rejects(storage.put('videos/j1/original.mp4', body), { name: 'NoSuchBucket' });
      await setTimeout(50);
      assert.ok(body.destroyed, `the ${size}-byte body was released`);
    }
  });

  void it('stores the content type given, else the one of the key’s extension (as local storage reads it)', async () => {
    await withBucket(async (storage) => {
      await storage.put('videos/j1/original.mp4', trickle(bodyOf(1, 10)), { contentType: 'video/mp4' });
      assert.equal((await storage.get('videos/j1/original.mp4'))?.contentType, 'video/mp4');
      await storage.put('thumbs/j1/poster.jpg', trickle(bodyOf(2, 10)));
      assert.equal((await storage.get('thumbs/j1/poster.jpg'))?.contentType, 'image/jpeg');
      await storage.put('misc/blob', trickle(bodyOf(3, 10)));
      assert.equal((await storage.get('misc/blob'))?.contentType, 'application/octet-stream');
    });
  });

  void it('rejects unsatisfiable ranges with a RangeError, as local storage does', async () => {
    await withBucket(async (storage) => {
      await storage.put('videos/j1/original.mp4', trickle(bodyOf(3, 100)));
      await assert.rejects(storage.get('videos/j1/original.mp4', { start: 100 }), RangeError);
      await assert.rejects(storage.get('videos/j1/original.mp4', { start: 50, end: 10 }), RangeError);
      await assert.rejects(storage.get('videos/j1/original.mp4', { start: -1 }), RangeError);
    });
  });

  void it('presigned links read the object with no credentials (ranges too), one URL per period, via the CDN origin when set', async () => {
    await withBucket(async (storage, Bucket) => {
      const bytes = patterned(64 * 1024);
      await storage.put('videos/j1/original.mp4', Readable.from([bytes]));
      let now = new Date('2026-12-01T10:00:10Z');
      const links = createContentLinks({
        signatures: createContentSignatures(Buffer.alloc(32, 7)),
        path: contentPath,
        storage,
        ttlSeconds: 3600,
        clock: () => now,
      });
      const first = await links.link('j1', {
        variant: 'original',
        key: 'videos/j1/original.mp4',
        contentType: 'video/mp4',
      });
      const url = new URL(first.url);
      assert.equal(url.origin, new URL(server!.endpoint).origin);
      assert.equal(url.pathname, `/${Bucket}/videos/j1/original.mp4`);
      assert.ok(url.searchParams.get('X-Amz-Signature'), first.url);
      // Signed at the period's start (10:00:00), valid for the TTL plus the 5-minute step.
      assert.equal(url.searchParams.get('X-Amz-Date'), '20261201T100000Z');
      assert.equal(url.searchParams.get('X-Amz-Expires'), String(3600 + 300));
      assert.equal(first.expiresAt, '2026-12-01T11:05:00.000Z');
      assert.equal(url.searchParams.get('response-content-type'), 'video/mp4');

      const whole = await fetch(first.url);
      assert.equal(whole.status, 200);
      assert.deepEqual(Buffer.from(await whole.arrayBuffer()), bytes);
      const part = await fetch(first.url, { headers: { range: 'bytes=100-199' } });
      assert.equal(part.status, 206);
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(100, 200));

      now = new Date('2026-12-01T10:04:59Z');
      assert.equal(
        (
          await links.link('j1', {
            variant: 'original',
            key: 'videos/j1/original.mp4',
            contentType: 'video/mp4',
          })
        ).url,
        first.url,
      );
      now = new Date('2026-12-01T10:05:00Z');
      assert.notEqual(
        (
          await links.link('j1', {
            variant: 'original',
            key: 'videos/j1/original.mp4',
            contentType: 'video/mp4',
          })
        ).url,
        first.url,
      );

      const cdn = createContentLinks({
        signatures: createContentSignatures(Buffer.alloc(32, 7)),
        path: contentPath,
        storage,
        ttlSeconds: 3600,
        cdnBaseUrl: 'https://cdn.example.com/',
        clock: () => now,
      });
      const viaCdn = new URL(
        (
          await cdn.link('j1', {
            variant: 'original',
            key: 'videos/j1/original.mp4',
            contentType: 'video/mp4',
          })
        ).url,
      );
      assert.equal(viaCdn.origin, 'https://cdn.example.com');
      assert.equal(viaCdn.pathname, `/${Bucket}/videos/j1/original.mp4`);
      assert.ok(viaCdn.searchParams.get('X-Amz-Signature'));
    });
  });

  void it('describes keys and prefixes as s3:// URLs', async () => {
    await withBucket(async (storage, Bucket) => {
      assert.equal(storage.describe('videos/j1/original.mp4'), `s3://${Bucket}/videos/j1/original.mp4`);
      assert.equal(storage.describe('videos/'), `s3://${Bucket}/videos/`);
    });
  });

  void it('createStorage builds it from config: S3_BUCKET, S3_ENDPOINT and the S3_* credentials', async () => {
    const Bucket = `config-${process.pid}`;
    await admin!.send(new CreateBucketCommand({ Bucket }));
    const env = {
      S3_BUCKET: Bucket,
      S3_ENDPOINT: server!.endpoint,
      S3_ACCESS_KEY_ID: 'config-access-key',
      S3_SECRET_ACCESS_KEY: 'config-secret-key',
    };
    try {
      const storage = await createStorage(loadConfig(env));
      assert.equal(storage.kind, 's3');
      await storage.put('videos/j1/original.mp4', trickle(bodyOf(7, 1000)));
      assert.deepEqual(await storage.stat('videos/j1/original.mp4'), { size: 1000 });
      await storage.delete('videos/j1/original.mp4');
    } finally {
      await admin!.send(new DeleteBucketCommand({ Bucket }));
    }

    // gofakes3 checks no signature: a loopback endpoint that records one shows which key signed.
    const authorizations: string[] = [];
    const recorder = createServer((req, res) => {
      authorizations.push(req.headers.authorization ?? '');
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = recorder.address() as AddressInfo;
      const storage = await createStorage(loadConfig({ ...env, S3_ENDPOINT: `http://127.0.0.1:${port}` }));
      assert.equal(await storage.stat('videos/j1/original.mp4'), null);
      assert.equal(authorizations.length, 1);
      assert.match(authorizations[0]!, /^AWS4-HMAC-SHA256 Credential=config-access-key\//);
    } finally {
      recorder.closeAllConnections();
      await new Promise((resolve) => recorder.close(resolve));
    }
  });

  void it('config rejects half a credential pair, naming the variable but never the secret', () => {
    assert.throws(
      () => loadConfig({ S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'AKIDEXAMPLE' }),
      (err) => err instanceof ConfigError && /S3_SECRET_ACCESS_KEY/.test(err.message),
    );
    assert.throws(
      () => loadConfig({ S3_BUCKET: 'b', S3_SECRET_ACCESS_KEY: 'very-secret-value' }),
      (err) =>
        err instanceof ConfigError &&
        /S3_ACCESS_KEY_ID/.test(err.message) &&
        !err.message.includes('very-secret-value'),
    );
  });
});
