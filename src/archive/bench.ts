/**
 * Archive throughput and memory, measured (not asserted): serves an N MB MP4 over loopback from
 * this process and archives it into a temporary local storage directory, then prints MB/s and the
 * peak RSS growth. Loopback and page cache make this an upper bound for the archive path's own
 * cost (hashing, checks, write + fsync), not a network figure.
 *
 *   tsx src/archive/bench.ts [--mb 500] [--runs 3] [--dir /path/on/target/disk]
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLocalStorage } from '../storage/index.js';
import { archiveFromUrl } from './archive-from-url.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '500' },
    runs: { type: 'string', default: '3' },
    dir: { type: 'string' },
  },
});
const MiB = 1024 * 1024;
const payloadBytes = Math.round(Number(values.mb) * MiB);
const runs = Math.max(1, Number(values.runs));
if (!Number.isFinite(payloadBytes) || payloadBytes <= 0)
  throw new Error(`--mb must be a positive number, got ${values.mb}`);

/** ftyp (isom) then an mdat header: enough for the signature check, and a valid box layout. */
function mp4Header(payload: number): Buffer {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypisom', 4, 'latin1');
  ftyp.writeUInt32BE(0x200, 12);
  ftyp.write('isommp41', 16, 'latin1');
  // 64-bit mdat size ("largesize") so files over 4 GiB stay valid too.
  const mdat = Buffer.alloc(16);
  mdat.writeUInt32BE(1, 0);
  mdat.write('mdat', 4, 'latin1');
  mdat.writeBigUInt64BE(BigInt(16 + payload), 8);
  return Buffer.concat([ftyp, mdat]);
}

const header = mp4Header(payloadBytes);
const totalBytes = header.length + payloadBytes;
const block = Buffer.alloc(MiB, 0x5a);

// The server streams with backpressure, reusing one block: its own memory stays flat too.
const server = createServer((_req, res) => {
  void (async () => {
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(totalBytes) });
    if (!res.write(header)) await once(res, 'drain');
    for (let sent = 0; sent < payloadBytes && !res.destroyed; sent += block.length) {
      if (!res.write(block.subarray(0, Math.min(block.length, payloadBytes - sent))))
        await once(res, 'drain');
    }
    res.end();
  })();
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bench.mp4`;

// The expected hash, computed without holding the file: the same bytes the server sends.
const expected = createHash('sha256').update(header);
for (let left = payloadBytes; left > 0; left -= block.length)
  expected.update(block.subarray(0, Math.min(block.length, left)));
const expectedSha256 = expected.digest('hex');

const dir = await mkdtemp(path.join(values.dir ?? tmpdir(), 'archive-bench-'));
const storage = createLocalStorage({ dir });
console.log(
  `archive bench: ${(totalBytes / MiB).toFixed(0)} MB over loopback into ${dir}, ${runs} run(s), node ${process.version}`,
);

try {
  for (let run = 1; run <= runs; run++) {
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const started = process.hrtime.bigint();
    const result = await archiveFromUrl({
      url,
      storage,
      key: `bench/run-${run}.mp4`,
      allowedHosts: ['127.0.0.1'],
      localHosts: ['127.0.0.1'],
      maxBytes: totalBytes,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (result.sha256 !== expectedSha256 || result.size !== totalBytes)
      throw new Error(`run ${run}: wrong bytes archived`);
    console.log(
      `run ${run}: ${(totalBytes / MiB / seconds).toFixed(1)} MB/s (${seconds.toFixed(2)} s), peak RSS +${((peak - baseline) / MiB).toFixed(1)} MB (baseline ${(baseline / MiB).toFixed(0)} MB)`,
    );
    await storage.delete(result.key);
  }
} finally {
  server.close();
  await rm(dir, { recursive: true, force: true });
}
