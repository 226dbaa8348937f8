/** The local-directory VideoStorage: the shared contract, plus what only a file system can show. */
import assert from 'node:assert/strict';
import { readFile, mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLocalStorage, UnsafeKeyError } from '../../src/storage/index.js';
import { storageContract } from './storage-contract.js';
import { bodyOf, failingAfter, readAll, trickle } from './stream-helpers.js';
import { listFiles, makeTempDir } from './temp-dir.js';

storageContract('local', async () => {
  const { dir, remove } = await makeTempDir('local-storage');
  const root = path.join(dir, 'videos-root');
  return {
    storage: createLocalStorage({ dir: root }),
    cleanup: async () => {
      try {
        // Whatever a test did, no temporary file may be left, inside the root or next to it.
        const leftovers = (await listFiles(dir)).filter((f) => f.endsWith('.partial'));
        assert.deepEqual(leftovers, [], 'temporary files left behind');
      } finally {
        await remove();
      }
    },
  };
});

void describe('local storage', () => {
  const setup = async () => {
    const t = await makeTempDir('local-storage');
    const root = path.join(t.dir, 'root');
    return { ...t, root, storage: createLocalStorage({ dir: root }) };
  };

  void it('writes the file at <dir>/<key> and nothing else', async () => {
    const { dir, root, storage, remove } = await setup();
    try {
      const bytes = bodyOf(1, 5000);
      await storage.put('videos/j1/original.mp4', trickle(bytes));
      assert.deepEqual(await readFile(path.join(root, 'videos/j1/original.mp4')), bytes);
      assert.deepEqual(await listFiles(dir), ['root/videos/j1/original.mp4']);
      assert.equal(storage.describe('videos/j1/original.mp4'), path.join(root, 'videos/j1/original.mp4'));
      assert.equal(storage.describe('videos/'), path.join(root, 'videos/'));
      // Group-readable at most, whatever the umask: 0640 files, 0750 folders (the root included).
      const previous = process.umask(0o000);
      try {
        await storage.put('videos/j2/original.mp4', trickle(bytes));
      } finally {
        process.umask(previous);
      }
      assert.equal((await stat(path.join(root, 'videos/j2/original.mp4'))).mode & 0o777, 0o640);
      for (const d of ['', 'videos', 'videos/j1', 'videos/j2'])
        assert.equal((await stat(path.join(root, d))).mode & 0o777, 0o750, `mode of ${d || 'the root'}`);
    } finally {
      await remove();
    }
  });

  void it('removes its temporary file when the body fails', async () => {
    const { dir, storage, remove } = await setup();
    try {
      await assert.rejects(
        storage.put('videos/j1/original.mp4', failingAfter(bodyOf(2, 70_000), new Error('reset'))),
      );
      assert.deepEqual(await listFiles(dir), []);
    } finally {
      await remove();
    }
  });

  void it('never reads or writes outside its directory', async () => {
    const { dir, storage, remove } = await setup();
    try {
      await writeFile(path.join(dir, 'secret.txt'), 'secret');
      await assert.rejects(storage.get('../secret.txt'), UnsafeKeyError);
      await assert.rejects(storage.put('../secret.txt', trickle(Buffer.from('overwritten'))), UnsafeKeyError);
      await assert.rejects(storage.delete('../secret.txt'), UnsafeKeyError);
      await assert.rejects(storage.get(path.join(dir, 'secret.txt')), UnsafeKeyError, 'absolute path');
      assert.equal(await readFile(path.join(dir, 'secret.txt'), 'utf8'), 'secret');
      assert.deepEqual(
        (await listFiles(dir)).filter((f) => f.startsWith('root')),
        [],
      );
    } finally {
      await remove();
    }
  });

  void it('treats a directory as missing', async () => {
    const { root, storage, remove } = await setup();
    try {
      await mkdir(path.join(root, 'videos/j1'), { recursive: true });
      assert.equal(await storage.get('videos/j1'), null);
      assert.equal(await storage.stat('videos/j1'), null);
    } finally {
      await remove();
    }
  });

  void it('rejects unsatisfiable ranges instead of returning an empty body', async () => {
    const { storage, remove } = await setup();
    try {
      await storage.put('videos/j1/original.mp4', trickle(bodyOf(3, 100)));
      await assert.rejects(storage.get('videos/j1/original.mp4', { start: 100 }), RangeError);
      await assert.rejects(storage.get('videos/j1/original.mp4', { start: 50, end: 10 }), RangeError);
      await assert.rejects(storage.get('videos/j1/original.mp4', { start: -1 }), RangeError);
    } finally {
      await remove();
    }
  });

  void it('a reader keeps the file it opened while a put replaces the key', async () => {
    const { storage, remove } = await setup();
    try {
      const first = bodyOf(4, 200_000);
      const second = bodyOf(5, 300_000);
      await storage.put('videos/j1/original.mp4', trickle(first));
      const reading = await storage.get('videos/j1/original.mp4');
      assert.ok(reading);
      await storage.put('videos/j1/original.mp4', trickle(second));
      assert.deepEqual(await readAll(reading.body), first, 'the open reader sees the old file, whole');
      assert.equal(reading.size, first.length);
      const after = await storage.get('videos/j1/original.mp4');
      assert.ok(after);
      assert.deepEqual(await readAll(after.body), second);
    } finally {
      await remove();
    }
  });

  void it('infers the content type from the extension', async () => {
    const { storage, remove } = await setup();
    try {
      await storage.put('thumbs/j1/poster.jpg', trickle(bodyOf(6, 10)));
      assert.equal((await storage.get('thumbs/j1/poster.jpg'))?.contentType, 'image/jpeg');
      await storage.put('misc/blob', trickle(bodyOf(7, 10)));
      assert.equal((await storage.get('misc/blob'))?.contentType, 'application/octet-stream');
    } finally {
      await remove();
    }
  });
});
