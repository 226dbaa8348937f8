/**
 * Local-directory storage. A `put` writes `<dir>/.<name>.<random>.partial` next to the target (same
 * directory, so same file system, so `rename` is atomic), fsyncs it, renames it over the target and
 * fsyncs the directory: readers see the old file or the new one, never a partial one, and a power
 * cut after `put` resolved cannot lose the file.
 */
import { randomBytes } from 'node:crypto';
import { chmod, type FileHandle, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { resolveRange } from './byte-range.js';
import { contentTypeFromKey } from './content-type.js';
import { fileSink } from './file-sink.js';
import { assertSafeKey, assertSafePrefixOrKey, UnsafeKeyError } from './keys.js';
import type { VideoStorage } from './types.js';

/** Temporary files end with this; a crash can leave some behind, and they are safe to delete. */
export const PARTIAL_SUFFIX = '.partial';

/**
 * Archived videos are readable by the service's group (a backup or CDN sync job), by nobody else:
 * set explicitly, whatever the process umask.
 */
export const FILE_MODE = 0o640;
export const DIR_MODE = 0o750;

export function createLocalStorage(opts: { dir: string }): VideoStorage {
  const root = path.resolve(opts.dir);

  const fileOf = (key: string): string => {
    assertSafeKey(key);
    const file = path.resolve(root, key);
    // assertSafeKey already rules out escaping; this second check guards against rules drifting.
    if (!file.startsWith(root + path.sep)) throw new UnsafeKeyError(key);
    return file;
  };

  return {
    kind: 'local',

    async put(key, body) {
      const target = fileOf(key);
      const dir = path.dirname(target);
      await makeDirs(dir);
      // A random name per call: concurrent puts of one key never share a temporary file, and the
      // last rename wins with a complete file. The leading dot hides it from casual listings.
      const tmp = path.join(
        dir,
        `.${path.basename(target)}.${randomBytes(8).toString('hex')}${PARTIAL_SUFFIX}`,
      );
      const fh = await open(tmp, 'wx', FILE_MODE);
      let closed = false;
      try {
        await fh.chmod(FILE_MODE);
        await pipeline(body, fileSink(fh));
        await fh.sync();
        // The size of what this call wrote: stat(target) after the rename could see another writer's file.
        const { size } = await fh.stat();
        await fh.close();
        closed = true;
        await rename(tmp, target);
        await syncDir(dir);
        return { size };
      } catch (err) {
        if (!closed) await fh.close().catch(() => undefined);
        await unlink(tmp).catch(() => undefined);
        throw err;
      }
    },

    async get(key, range) {
      // Open first, then stat the open descriptor: a concurrent put renaming a new file over this
      // key cannot mix the old file's size with the new file's bytes.
      let fh: FileHandle;
      try {
        fh = await open(fileOf(key), 'r');
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
      try {
        const s = await fh.stat();
        if (!s.isFile()) {
          await fh.close();
          return null;
        }
        const bounds = range ? resolveRange(range, s.size) : {};
        return {
          body: fh.createReadStream({ ...bounds, autoClose: true }),
          size: s.size,
          contentType: contentTypeFromKey(key),
        };
      } catch (err) {
        await fh.close().catch(() => undefined);
        throw err;
      }
    },

    async stat(key) {
      try {
        const s = await stat(fileOf(key));
        return s.isFile() ? { size: s.size } : null;
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },

    async delete(key) {
      try {
        await unlink(fileOf(key));
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    },

    describe(key) {
      assertSafePrefixOrKey(key);
      return key === '' ? root : path.join(root, key);
    },
  };
}

/** mkdir -p, each folder it creates with DIR_MODE. */
async function makeDirs(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: DIR_MODE });
  if (!first) return;
  for (let d = dir; ; d = path.dirname(d)) {
    await chmod(d, DIR_MODE);
    if (d === first || d === path.dirname(d)) break;
  }
}

/** Makes the rename itself durable. Some platforms (Windows) cannot fsync a directory: best effort. */
async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Durability of the directory entry is an optimisation here, not a correctness condition.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  // ENOTDIR: a parent segment is a file; EISDIR cannot happen with 'r' on Linux but does elsewhere.
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}
