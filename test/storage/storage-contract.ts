/**
 * What every VideoStorage must do, as tests that any implementation can run: the local directory
 * today (local-storage.test.ts), an S3-compatible bucket (MinIO) when that suite exists.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnsafeKeyError, type VideoStorage } from '../../src/storage/index.js';
import { bodyOf, failingAfter, readAll, trickle } from './stream-helpers.js';

export interface ContractSetup {
  storage: VideoStorage;
  /** Called after each test: implementations check there that no temporary object was left. */
  cleanup: () => Promise<void>;
}

export const UNSAFE_KEYS = [
  '',
  '/etc/passwd',
  '../outside.mp4',
  'videos/../../outside.mp4',
  'videos/..',
  './a.mp4',
  'a/./b.mp4',
  'a//b.mp4',
  'videos/',
  'a\\..\\b.mp4',
  'a\0b.mp4',
  'a\nb.mp4',
];

export function storageContract(name: string, setup: () => Promise<ContractSetup>): void {
  const withStorage = (fn: (storage: VideoStorage) => Promise<void>) => async () => {
    const { storage, cleanup } = await setup();
    try {
      await fn(storage);
    } finally {
      await cleanup();
    }
  };

  void describe(`${name}: VideoStorage contract`, () => {
    void it(
      'put returns the bytes written; get and stat see the whole object',
      withStorage(async (storage) => {
        const bytes = bodyOf(1, 100_000);
        assert.deepEqual(
          await storage.put('videos/j1/original.mp4', trickle(bytes), { contentType: 'video/mp4' }),
          { size: bytes.length },
        );
        assert.deepEqual(await storage.stat('videos/j1/original.mp4'), { size: bytes.length });
        const got = await storage.get('videos/j1/original.mp4');
        assert.ok(got);
        assert.equal(got.size, bytes.length);
        assert.equal(got.contentType, 'video/mp4');
        assert.deepEqual(await readAll(got.body), bytes);
      }),
    );

    void it(
      'get with a range returns [start, end] inclusive and the total size',
      withStorage(async (storage) => {
        const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
        await storage.put('videos/j1/original.mp4', trickle(bytes, 97));
        const cases: { start: number; end?: number }[] = [
          { start: 0, end: 0 },
          { start: 0, end: 9 },
          { start: 10, end: 509 },
          { start: 990 },
          { start: 999, end: 999 },
          { start: 500, end: 5000 },
        ];
        for (const range of cases) {
          const got = await storage.get('videos/j1/original.mp4', range);
          assert.ok(got);
          assert.equal(got.size, 1000, 'size is the whole object, for Content-Range');
          const end = Math.min(range.end ?? 999, 999);
          assert.deepEqual(
            await readAll(got.body),
            bytes.subarray(range.start, end + 1),
            `range ${range.start}-${range.end ?? ''}`,
          );
        }
      }),
    );

    void it(
      'missing keys: get and stat answer null, delete succeeds',
      withStorage(async (storage) => {
        assert.equal(await storage.get('videos/nope/original.mp4'), null);
        assert.equal(await storage.get('videos/nope/original.mp4', { start: 0, end: 10 }), null);
        assert.equal(await storage.stat('videos/nope/original.mp4'), null);
        await storage.delete('videos/nope/original.mp4');
      }),
    );

    void it(
      'delete removes the object',
      withStorage(async (storage) => {
        await storage.put('videos/j1/original.mp4', trickle(bodyOf(2, 10)));
        await storage.delete('videos/j1/original.mp4');
        assert.equal(await storage.stat('videos/j1/original.mp4'), null);
      }),
    );

    void it(
      'rejects unsafe keys (traversal, absolute, empty segments) in every operation',
      withStorage(async (storage) => {
        for (const key of UNSAFE_KEYS) {
          await assert.rejects(
            storage.put(key, trickle(bodyOf(3, 10))),
            UnsafeKeyError,
            `put ${JSON.stringify(key)}`,
          );
          await assert.rejects(storage.get(key), UnsafeKeyError, `get ${JSON.stringify(key)}`);
          await assert.rejects(storage.stat(key), UnsafeKeyError, `stat ${JSON.stringify(key)}`);
          await assert.rejects(storage.delete(key), UnsafeKeyError, `delete ${JSON.stringify(key)}`);
        }
        assert.throws(() => storage.describe('../'), UnsafeKeyError);
      }),
    );

    void it(
      'a body that fails half way leaves nothing under the key, and put rejects with its error',
      withStorage(async (storage) => {
        const boom = new Error('connection reset');
        await assert.rejects(
          storage.put('videos/j1/original.mp4', failingAfter(bodyOf(4, 50_000), boom)),
          (err) => err === boom,
        );
        assert.equal(await storage.stat('videos/j1/original.mp4'), null);
      }),
    );

    void it(
      'a failed put over an existing object leaves the previous object intact',
      withStorage(async (storage) => {
        const previous = bodyOf(5, 30_000);
        await storage.put('videos/j1/original.mp4', trickle(previous));
        await assert.rejects(
          storage.put('videos/j1/original.mp4', failingAfter(bodyOf(6, 50_000), new Error('reset'))),
        );
        const got = await storage.get('videos/j1/original.mp4');
        assert.ok(got);
        assert.deepEqual(await readAll(got.body), previous);
      }),
    );

    void it(
      'concurrent puts of the same key end with exactly one complete body',
      withStorage(async (storage) => {
        // Different sizes too, so a mix of two writers would show in the size as well as the bytes.
        const bodies = Array.from({ length: 8 }, (_, i) => bodyOf(i + 10, 40_000 + i * 1000));
        const results = await Promise.all(
          bodies.map((b) => storage.put('videos/j1/original.mp4', trickle(b))),
        );
        assert.deepEqual(
          results.map((r) => r.size),
          bodies.map((b) => b.length),
          'each put reports its own bytes',
        );
        const got = await storage.get('videos/j1/original.mp4');
        assert.ok(got);
        const stored = await readAll(got.body);
        assert.ok(
          bodies.some((b) => b.equals(stored)),
          `the stored object (${stored.length} bytes) must equal one of the bodies`,
        );
        assert.equal(got.size, stored.length);
      }),
    );
  });
}
