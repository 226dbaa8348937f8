/**
 * archiveFromUrl against a real HTTP server on loopback and a real local storage directory: every
 * scenario checks the error's kind and classification, and that a failure leaves no file behind.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { after, before, beforeEach, afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArchiveError, archiveFromUrl, type ArchiveOptions } from '../../src/archive/index.js';
import { createLocalStorage, type VideoStorage } from '../../src/storage/index.js';
import { listFiles, makeTempDir } from '../storage/temp-dir.js';
import { startFileServer, writeAll, type FileServer } from './file-server.js';
import { buildMp4, sampleMp4, sha256 } from './mp4-fixture.js';

const MP4 = sampleMp4();
const HTML = Buffer.from('<!doctype html><html><body><h1>Access denied</h1></body></html>\n');
const KEY = 'videos/job-1/original.mp4';

let server: FileServer;
let dir: string;
let removeDir: () => Promise<void>;
let storage: VideoStorage;

function serveMp4(bytes: Buffer, { chunked = false } = {}) {
  return async (_req: unknown, res: ServerResponse) => {
    res.writeHead(200, {
      'content-type': 'video/mp4',
      ...(chunked ? {} : { 'content-length': String(bytes.length) }),
    });
    await writeAll(res, bytes);
    res.end();
  };
}

/** Sends the first half of the file, then resets the connection. */
function serveHalfThenReset(bytes: Buffer, { chunked = false } = {}) {
  return async (_req: unknown, res: ServerResponse) => {
    res.writeHead(200, {
      'content-type': 'video/mp4',
      ...(chunked ? {} : { 'content-length': String(bytes.length) }),
    });
    await writeAll(res, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await sleep(20);
    res.socket?.destroy();
  };
}

before(async () => {
  const big = buildMp4(Buffer.alloc(3 * 1024 * 1024, 7));
  server = await startFileServer({
    '/video.mp4': serveMp4(MP4),
    '/chunked.mp4': serveMp4(MP4, { chunked: true }),
    '/big.mp4': serveMp4(big),
    '/fresh.mp4': serveMp4(MP4),
    '/redirect': (_req, res) => void res.writeHead(302, { location: '/video.mp4' }).end(),
    '/redirect-away': (_req, res) =>
      void res.writeHead(302, { location: `http://localhost:${server.port}/video.mp4` }).end(),
    '/redirect-loop': (_req, res) => void res.writeHead(307, { location: '/redirect-loop' }).end(),
    '/page.html': (_req, res) =>
      void res
        .writeHead(200, { 'content-type': 'text/html', 'content-length': String(HTML.length) })
        .end(HTML),
    '/truncated.mp4': serveHalfThenReset(big),
    '/truncated-chunked.mp4': serveHalfThenReset(big, { chunked: true }),
    '/expired.mp4': (_req, res) => void res.writeHead(404).end('expired'),
    '/gone.mp4': (_req, res) => void res.writeHead(410).end('gone'),
    '/unavailable.mp4': (_req, res) => void res.writeHead(503).end('try later'),
    '/bad-request.mp4': (_req, res) => void res.writeHead(400).end('no'),
    // Announces a huge file; the archive must refuse from the header alone.
    '/huge-declared.mp4': async (req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(50 * 1024 * 1024 * 1024) });
      res.write(MP4.subarray(0, 64));
      await new Promise((resolve) => req.socket.once('close', resolve));
    },
    // No Content-Length and no end: only the byte count can stop it.
    '/endless.mp4': async (req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      const chunk = Buffer.alloc(64 * 1024, 1);
      res.write(MP4.subarray(0, 64));
      let open = true;
      req.socket.once('close', () => (open = false));
      while (open && !res.destroyed) {
        if (!res.write(chunk)) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    // Headers and a few bytes, then silence: the idle timeout's case.
    '/stalled.mp4': async (req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(MP4.length) });
      res.write(MP4.subarray(0, 64));
      await new Promise((resolve) => req.socket.once('close', resolve));
    },
  });
});

after(async () => {
  await server.close();
});

beforeEach(async () => {
  ({ dir, remove: removeDir } = await makeTempDir('archive-test'));
  storage = createLocalStorage({ dir });
});

afterEach(async () => {
  await removeDir();
});

const archive = (pathOrUrl: string, extra: Partial<ArchiveOptions> = {}) =>
  archiveFromUrl({
    url: pathOrUrl.startsWith('http') ? pathOrUrl : server.url(pathOrUrl),
    storage,
    key: KEY,
    allowedHosts: ['127.0.0.1'],
    localHosts: ['127.0.0.1'],
    maxBytes: 100 * 1024 * 1024,
    timeoutMs: 5_000,
    ...extra,
  });

async function rejectsWith(
  promise: Promise<unknown>,
  kind: ArchiveError['kind'],
  retryable: boolean,
): Promise<ArchiveError> {
  let caught: unknown;
  await promise.catch((err: unknown) => (caught = err));
  assert.ok(caught instanceof ArchiveError, `expected an ArchiveError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  assert.equal(caught.retryable, retryable);
  return caught;
}

async function assertStorageEmpty() {
  assert.deepEqual(await listFiles(dir), [], 'nothing may be left in storage, temporary files included');
}

void describe('archiveFromUrl', () => {
  void it('stores the file under the key with its SHA-256 and size, and leaves no temporary file', async () => {
    const progress: { bytes: number; total: number | null }[] = [];
    const result = await archive('/video.mp4', { onProgress: (p) => progress.push(p) });

    assert.deepEqual(result, {
      key: KEY,
      size: MP4.length,
      sha256: sha256(MP4),
      contentType: 'video/mp4',
      sourceUrl: server.url('/video.mp4'),
    });
    assert.deepEqual(await readFile(path.join(dir, KEY)), MP4);
    assert.deepEqual(await listFiles(dir), [KEY]);
    assert.deepEqual(
      progress.at(-1),
      { bytes: MP4.length, total: MP4.length },
      'the last progress report is the whole file',
    );
  });

  void it('archives a chunked response (no Content-Length)', async () => {
    const result = await archive('/chunked.mp4');
    assert.equal(result.sha256, sha256(MP4));
    assert.equal(result.size, MP4.length);
  });

  void it('replaces an existing file at the key with the new one, whole', async () => {
    await archive('/video.mp4');
    const result = await archive('/big.mp4');
    assert.equal((await storage.stat(KEY))?.size, result.size);
    assert.deepEqual(await listFiles(dir), [KEY]);
  });

  void it('follows redirects to allowed hosts and reports the URL it was given', async () => {
    const result = await archive('/redirect');
    assert.equal(result.sha256, sha256(MP4));
    assert.equal(result.sourceUrl, server.url('/redirect'));
  });

  void describe('host allow-list', () => {
    void it('refuses a host that is not allowed, permanently, without connecting', async () => {
      const before = server.hits('/video.mp4');
      await rejectsWith(
        archive('/video.mp4', { allowedHosts: ['*.aiquickdraw.com', 'kie.ai'], localHosts: [] }),
        'host_not_allowed',
        false,
      );
      assert.equal(server.hits('/video.mp4'), before);
      await assertStorageEmpty();
    });

    void it('re-checks the host after a redirect', async () => {
      const before = server.hits('/video.mp4');
      const err = await rejectsWith(archive('/redirect-away'), 'host_not_allowed', false);
      assert.match(err.message, /localhost/);
      assert.equal(server.hits('/video.mp4'), before, 'the redirect target is never fetched');
      await assertStorageEmpty();
    });

    void it('refuses non-HTTP schemes', async () => {
      await rejectsWith(archive('file:///etc/passwd'), 'host_not_allowed', false);
    });

    void it('gives up on redirect loops, permanently', async () => {
      await rejectsWith(archive('/redirect-loop'), 'http', false);
    });
  });

  void describe('size cap', () => {
    void it('refuses a Content-Length over the cap before reading the body', async () => {
      const err = await rejectsWith(
        archive('/huge-declared.mp4', { maxBytes: 10 * 1024 * 1024 }),
        'too_large',
        false,
      );
      assert.match(err.message, /53687091200 bytes/);
      await assertStorageEmpty();
    });

    void it('aborts a body that grows past the cap', async () => {
      await rejectsWith(archive('/endless.mp4', { maxBytes: 1024 * 1024 }), 'too_large', false);
      await assertStorageEmpty();
    });

    void it('accepts a file of exactly the cap', async () => {
      const result = await archive('/video.mp4', { maxBytes: MP4.length });
      assert.equal(result.size, MP4.length);
    });
  });

  void it('refuses bytes that are not an MP4 (an HTML page with 200), permanently, and stores nothing', async () => {
    const err = await rejectsWith(archive('/page.html'), 'not_mp4', false);
    assert.match(err.message, /"<!doctyp"/, 'the message shows what came instead');
    await assertStorageEmpty();
  });

  void describe('truncated downloads', () => {
    void it('a connection reset before Content-Length bytes is retryable and leaves nothing', async () => {
      await rejectsWith(archive('/truncated.mp4'), 'truncated', true);
      await assertStorageEmpty();
    });

    void it('a chunked body cut short is retryable and leaves nothing', async () => {
      await rejectsWith(archive('/truncated-chunked.mp4'), 'truncated', true);
      await assertStorageEmpty();
    });

    void it('a stalled body hits the idle timeout, retryable, and leaves nothing', async () => {
      const err = await rejectsWith(archive('/stalled.mp4', { timeoutMs: 300 }), 'network', true);
      assert.match(err.message, /No data .* for 300 ms/);
      await assertStorageEmpty();
    });
  });

  void describe('expired URLs', () => {
    void it('asks refreshUrl once for a fresh URL on 404 and archives from it', async () => {
      const calls: string[] = [];
      const result = await archive('/expired.mp4', {
        refreshUrl: async (expired) => {
          calls.push(expired);
          return server.url('/fresh.mp4');
        },
      });
      assert.deepEqual(calls, [server.url('/expired.mp4')]);
      assert.equal(result.sourceUrl, server.url('/fresh.mp4'));
      assert.equal(result.sha256, sha256(MP4));
    });

    void it('fails permanently when the fresh URL is gone too, after one refresh', async () => {
      let calls = 0;
      const refreshUrl = async () => {
        calls++;
        return server.url('/gone.mp4');
      };
      await rejectsWith(archive('/expired.mp4', { refreshUrl }), 'expired', false);
      assert.equal(calls, 1);
      await assertStorageEmpty();
    });

    void it('fails permanently without refreshUrl', async () => {
      await rejectsWith(archive('/gone.mp4'), 'expired', false);
    });

    void it('checks the fresh URL against the allow-list too', async () => {
      await rejectsWith(
        archive('/expired.mp4', { refreshUrl: async () => 'https://evil.example/x.mp4' }),
        'host_not_allowed',
        false,
      );
    });

    void it('does not call refreshUrl for other statuses', async () => {
      let calls = 0;
      await rejectsWith(
        archive('/unavailable.mp4', { refreshUrl: async () => (calls++, server.url('/fresh.mp4')) }),
        'http',
        true,
      );
      assert.equal(calls, 0);
    });
  });

  void describe('HTTP and network errors', () => {
    void it('5xx is retryable', async () => {
      await rejectsWith(archive('/unavailable.mp4'), 'http', true);
    });

    void it('other 4xx are permanent', async () => {
      await rejectsWith(archive('/bad-request.mp4'), 'http', false);
    });

    void it('a refused connection is a retryable network error', async () => {
      const closed = await startFileServer({});
      const url = closed.url('/video.mp4');
      await closed.close();
      const err = await rejectsWith(archive(url), 'network', true);
      assert.match(err.message, /ECONNREFUSED/);
    });
  });

  void it('stops on cancellation, throws the signal reason and leaves nothing', async () => {
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    const promise = archive('/stalled.mp4', { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 100);
    await assert.rejects(promise, (err) => err === reason);
    await assertStorageEmpty();
  });
});
