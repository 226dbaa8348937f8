/**
 * Downloads that cannot hurt the process: a client that goes away mid-download frees the file it was
 * reading, and a stored file that shrinks while it is sent cuts that one response off (the client
 * sees an incomplete body, not a hang) while the server carries on. Real local storage on a real
 * file system; the video service is a fake that reads it as the real one does.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { truncate } from 'node:fs/promises';
import http from 'node:http';
import { Readable } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import { createLocalStorage } from '../../src/storage/index.js';
import { startFakeApp } from '../support/fake-app.js';
import { captureLogs } from '../support/captured-logs.js';
import { waitFor } from '../support/wait-for.js';
import { makeTempDir } from '../storage/temp-dir.js';

const KEY = 'videos/job_stream/original.mp4';
/** Far more than loopback socket buffers hold, so a download is still reading the file when we act. */
const SIZE = 32 * 1024 * 1024;

const openFds = () => readdirSync('/proc/self/fd').length;

async function appWithFile(t: TestContext) {
  const { dir, remove } = await makeTempDir('content-streaming');
  t.after(remove);
  const storage = createLocalStorage({ dir });
  await storage.put(KEY, Readable.from([Buffer.alloc(SIZE, 7)]));
  const logs = captureLogs('warn');
  const app = await startFakeApp(
    t,
    {
      videos: {
        // What the real service does once the job is found: pick the range, open the stored file.
        download: async (_access, _jobId, variant, rangeOf = () => null) => {
          const size = (await storage.stat(KEY))!.size;
          const range = rangeOf(size);
          const stored = await storage.get(KEY, range ?? undefined);
          const file = { variant, key: KEY, size, sha256: 'f'.repeat(64), contentType: 'video/mp4' };
          return { file, range, body: stored!.body };
        },
      },
    },
    { logger: logs.logger },
  );
  const user = await app.user();
  return { app, user, path: storage.describe(KEY), logs: logs.lines };
}

/** GET the content; resolves with the response once its headers arrived. */
function get(
  url: string,
  key: string,
  range?: string,
): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { authorization: `Bearer ${key}`, ...(range ? { range } : {}) } });
    req.once('response', (res) => resolve({ req, res }));
    req.once('error', reject);
  });
}

void describe('HTTP layer: content streaming', () => {
  void it('100 range requests aborted mid-download leave no file descriptor open', async (t) => {
    const { app, user } = await appWithFile(t);
    const url = `${app.apiUrl}/v1/videos/job_stream/content`;
    // Warm up (the ledger, the server's first connection), then count.
    const warm = await get(url, user.apiKey, 'bytes=0-99');
    warm.res.resume();
    await new Promise((r) => warm.res.once('end', r));
    const before = openFds();

    const abortOne = async (i: number) => {
      const { req, res } = await get(url, user.apiKey, `bytes=${i}-${SIZE - 1}`);
      assert.equal(res.statusCode, 206);
      await new Promise((r) => res.once('data', r));
      const closed = new Promise((r) => req.once('close', r));
      req.on('error', () => undefined);
      req.destroy();
      await closed;
    };
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => abortOne(batch * 10 + i)));
    }
    await waitFor('file descriptors to be released', async () =>
      openFds() <= before + 5 ? true : undefined,
    );
  });

  void it('a file that shrinks while it is sent cuts off that response; the server carries on', async (t) => {
    const { app, user, path, logs } = await appWithFile(t);
    const url = `${app.apiUrl}/v1/videos/job_stream/content`;
    const { res } = await get(url, user.apiKey);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], String(SIZE));
    res.pause();
    await truncate(path, 1024 * 1024);

    let received = 0;
    res.on('data', (chunk: Buffer) => (received += chunk.length));
    res.on('error', () => undefined);
    const closed = new Promise((r) => res.once('close', r));
    res.resume();
    await closed;
    assert.equal(res.complete, false, 'the response is cut off, not presented as complete');
    assert.ok(received < SIZE, `received ${received} of ${SIZE} bytes`);
    // Cut off by the server because the body failed (not left open until a keep-alive timeout), and logged.
    await waitFor(
      'the failure in the log',
      async () =>
        logs.some((line) => {
          const l = JSON.parse(line) as { msg: string; err?: { type: string } };
          return l.msg === 'response failed after its headers were sent' && l.err?.type === 'ShortBodyError';
        }) || undefined,
    );

    // The same server answers the next download of the (now shorter) file in full.
    const next = await get(url, user.apiKey, 'bytes=0-1023');
    assert.equal(next.res.statusCode, 206);
    let bytes = 0;
    next.res.on('data', (chunk: Buffer) => (bytes += chunk.length));
    await new Promise((r) => next.res.once('end', r));
    assert.equal(bytes, 1024);
  });
});
