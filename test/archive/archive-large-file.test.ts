/**
 * A 200 MB file generated on the fly by the server, archived with memory flat in file size. The
 * rss growth is printed; the only assertion on it is a functional bound (well under the file size),
 * never on time — performance is measured by src/archive/bench.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { archiveFromUrl } from '../../src/archive/index.js';
import { createLocalStorage } from '../../src/storage/index.js';
import { listFiles, makeTempDir } from '../storage/temp-dir.js';
import { startFileServer, type FileServer } from './file-server.js';
import { mp4Header } from './mp4-fixture.js';

const PAYLOAD_BYTES = 200 * 1024 * 1024;
const MB = 1024 * 1024;

let server: FileServer;
/** The server hashes what it sends, so the test compares against bytes that never sat in memory. */
let servedSha256 = '';
let servedBytes = 0;

before(async () => {
  server = await startFileServer({
    '/large.mp4': async (_req, res) => {
      const header = mp4Header(PAYLOAD_BYTES);
      const hash = createHash('sha256');
      let sent = 0;
      const send = async (chunk: Buffer) => {
        hash.update(chunk);
        sent += chunk.length;
        if (!res.write(chunk)) await once(res, 'drain');
      };
      res.writeHead(200, {
        'content-type': 'video/mp4',
        'content-length': String(header.length + PAYLOAD_BYTES),
      });
      await send(header);
      // Varying content (a counter in each chunk) so the hash covers more than one repeated block.
      const chunk = Buffer.alloc(256 * 1024, 0xa5);
      for (let i = 0; sent < header.length + PAYLOAD_BYTES; i++) {
        chunk.writeUInt32BE(i, 0);
        await send(chunk.subarray(0, Math.min(chunk.length, header.length + PAYLOAD_BYTES - sent)));
      }
      servedSha256 = hash.digest('hex');
      servedBytes = sent;
      res.end();
    },
  });
});

after(() => server.close());

void it('archives a 200 MB stream with flat memory, correct size and SHA-256', async () => {
  const { dir, remove } = await makeTempDir('archive-large');
  try {
    const storage = createLocalStorage({ dir });
    const key = 'videos/large/original.mp4';
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    let heartbeats = 0;
    const result = await archiveFromUrl({
      url: server.url('/large.mp4'),
      storage,
      key,
      allowedHosts: ['127.0.0.1'],
      localHosts: ['127.0.0.1'],
      maxBytes: 1024 * MB,
      onProgress: () => heartbeats++,
    }).finally(() => clearInterval(sampler));
    peak = Math.max(peak, process.memoryUsage().rss);

    const growthMb = (peak - baseline) / MB;
    console.log(
      `# 200 MB archive: peak rss growth ${growthMb.toFixed(1)} MB (baseline ${(baseline / MB).toFixed(0)} MB), ${heartbeats} progress reports`,
    );

    assert.equal(result.size, servedBytes);
    assert.equal(result.sha256, servedSha256);
    assert.equal((await stat(path.join(dir, key))).size, servedBytes);
    assert.deepEqual(await listFiles(dir), [key]);
    assert.ok(
      growthMb < 100,
      `rss grew by ${growthMb.toFixed(1)} MB for a 200 MB file: the download is being buffered`,
    );
  } finally {
    await remove();
  }
});
