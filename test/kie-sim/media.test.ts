/**
 * Result files: real MP4 bytes (the committed fixture, tagged per task and variant), hashes that match
 * what is served, padding to any size that stays a valid box layout, Range, URL expiry and refresh
 * through /common/download-url, and the download faults.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { describe, it } from 'node:test';
import { SAMPLE_MP4 } from '../../src/kie-sim/sample-bytes.js';
import type { KieSimulator } from '../../src/kie-sim/index.js';
import { api, dataOf, download, firstResultUrl, generate, settled, sim, waitFor } from './helpers.js';

const FIXTURE = readFileSync(new URL('../fixtures/sample.mp4', import.meta.url));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Top-level ISO BMFF boxes; fails unless they tile the file exactly. */
function topLevelBoxes(bytes: Buffer): Array<{ type: string; size: number }> {
  const boxes: Array<{ type: string; size: number }> = [];
  let offset = 0;
  while (offset < bytes.length) {
    assert.ok(offset + 8 <= bytes.length, `box header past the end at ${offset}`);
    let size = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    if (size === 1) size = Number(bytes.readBigUInt64BE(offset + 8));
    if (size === 0) size = bytes.length - offset;
    assert.ok(size >= 8, `bad box size ${size} for ${type} at ${offset}`);
    boxes.push({ type, size });
    offset += size;
  }
  assert.equal(offset, bytes.length, 'boxes end exactly at the end of the file');
  return boxes;
}

async function resultUrl(
  s: KieSimulator,
  body: Record<string, unknown> = {},
  headers?: Record<string, string>,
) {
  const taskId = await generate(s, body, headers);
  return { taskId, url: firstResultUrl(await settled(s, taskId)) };
}

/** A GET that reports how the body ended: complete, or cut short of Content-Length. */
function rawGet(
  url: string,
): Promise<{ status: number; length: number; received: number; aborted: boolean }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let received = 0;
        let aborted = false;
        res.on('data', (c: Buffer) => (received += c.length));
        res.on('aborted', () => (aborted = true));
        res.on('error', () => (aborted = true));
        res.on('close', () =>
          resolve({
            status: res.statusCode ?? 0,
            length: Number(res.headers['content-length']),
            received,
            aborted: aborted || !res.complete,
          }),
        );
      })
      .on('error', reject);
  });
}

void describe('the MP4 fixture', () => {
  void it('is a real MP4 (ftyp first, then moov and mdat) and the simulator embeds exactly it', () => {
    assert.equal(FIXTURE.subarray(4, 8).toString('latin1'), 'ftyp');
    const types = topLevelBoxes(FIXTURE).map((b) => b.type);
    assert.equal(types[0], 'ftyp');
    assert.ok(types.includes('moov') && types.includes('mdat'));
    assert.ok(types.indexOf('moov') < types.indexOf('mdat'), 'faststart: moov before mdat');
    assert.ok(FIXTURE.length < 20_000, 'a few KB');
    assert.equal(sha256(SAMPLE_MP4), sha256(FIXTURE));
  });
});

void describe('served videos', () => {
  void it('are the fixture plus a trailing free box: valid MP4, Content-Length, video/mp4, hash = videoSha256', async () => {
    const s = await sim();
    const { taskId, url } = await resultUrl(s);
    const file = await download(url);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'video/mp4');
    assert.equal(Number(file.headers.get('content-length')), file.bytes.length);
    assert.equal(file.bytes.subarray(4, 8).toString('latin1'), 'ftyp');
    assert.deepEqual(file.bytes.subarray(0, FIXTURE.length), FIXTURE);
    const types = topLevelBoxes(file.bytes).map((b) => b.type);
    assert.ok(types.includes('moov'));
    assert.equal(types.at(-1), 'free');
    assert.equal(sha256(file.bytes), s.videoSha256(taskId, 'original'));
    assert.equal(s.stats().downloads, 1);
  });

  void it('differ per task and per variant', async () => {
    const s = await sim();
    const a = await generate(s);
    const b = await generate(s);
    const hashes = new Set(
      [a, b].flatMap((t) => (['original', '1080p', '4k'] as const).map((v) => s.videoSha256(t, v))),
    );
    assert.equal(hashes.size, 6);
  });

  void it('videoBytes pads each file to that size, still a valid MP4', async () => {
    const size = 3 * 1024 * 1024 + 17;
    const s = await sim({ faults: { videoBytes: size } });
    const { taskId, url } = await resultUrl(s);
    const file = await download(url);
    assert.equal(file.bytes.length, size);
    assert.equal(topLevelBoxes(file.bytes).at(-1)?.type, 'free');
    assert.equal(sha256(file.bytes), s.videoSha256(taskId, 'original'));
    s.setFaults({});
    assert.equal(s.videoSha256(taskId, 'original'), sha256(file.bytes), 'a task’s size is fixed at creation');
  });

  void it('videoBytes per request through X-Sim-Faults', async () => {
    const s = await sim();
    const { url } = await resultUrl(s, {}, { 'x-sim-faults': '{"videoBytes":65536}' });
    assert.equal((await download(url)).bytes.length, 65536);
  });

  void it('Range requests get 206 with the right slice; HEAD gets headers only', async () => {
    const s = await sim();
    const { url } = await resultUrl(s);
    const whole = (await download(url)).bytes;
    const part = await download(url, { range: 'bytes=100-199' });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-199/${whole.length}`);
    assert.deepEqual(part.bytes, whole.subarray(100, 200));
    const tail = await download(url, { range: 'bytes=-10' });
    assert.deepEqual(tail.bytes, whole.subarray(whole.length - 10));
    const open = await download(url, { range: `bytes=${whole.length - 5}-` });
    assert.deepEqual(open.bytes, whole.subarray(whole.length - 5));
    assert.equal((await download(url, { range: `bytes=${whole.length}-` })).status, 416);
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers.get('content-length')), whole.length);
    assert.equal(head.headers.get('accept-ranges'), 'bytes');
  });

  void it('unknown file → 404', async () => {
    const s = await sim();
    assert.equal((await download(`${s.url}/files/${'0'.repeat(32)}.mp4`)).status, 404);
  });
});

void describe('URL expiry and /common/download-url', () => {
  void it('a result URL expires after urlTtlMs (403); download-url mints a fresh one for the same bytes', async () => {
    const s = await sim({ urlTtlMs: 250, downloadUrlTtlMs: 60_000 });
    const { taskId, url } = await resultUrl(s);
    await waitFor('expiry', async () => ((await download(url)).status === 403 ? true : undefined));
    const expired = await download(url);
    assert.match(expired.bytes.toString(), /expired/);
    const r = await api(s, 'POST', '/api/v1/common/download-url', { url });
    assert.equal(r.code, 200);
    const fresh = dataOf<string>(r);
    assert.equal(typeof fresh, 'string');
    assert.notEqual(fresh, url);
    const file = await download(fresh);
    assert.equal(file.status, 200);
    assert.equal(sha256(file.bytes), s.videoSha256(taskId, 'original'));
  });

  void it('fresh URLs expire too (downloadUrlTtlMs; 20 min by default)', async () => {
    const s = await sim({ downloadUrlTtlMs: 150 });
    const { url } = await resultUrl(s);
    const fresh = dataOf<string>(await api(s, 'POST', '/api/v1/common/download-url', { url }));
    assert.equal((await download(fresh)).status, 200);
    await waitFor('expiry', async () => ((await download(fresh)).status === 403 ? true : undefined));
  });

  void it('a URL KIE did not produce → 422', async () => {
    const s = await sim();
    for (const url of [
      'https://example.com/video.mp4',
      `${s.url}/files/${'a'.repeat(32)}.mp4`,
      'not a url',
    ]) {
      const r = await api(s, 'POST', '/api/v1/common/download-url', { url });
      assert.equal(r.code, 422, url);
      assert.equal(r.data, null);
    }
    assert.equal((await api(s, 'POST', '/api/v1/common/download-url', {})).code, 422);
  });
});

void describe('download faults', () => {
  void it('truncate-once: the first GET of each file stops half way short of Content-Length; the retry is whole', async () => {
    const s = await sim({ faults: { download: 'truncate-once' } });
    const { taskId, url } = await resultUrl(s);
    const first = await rawGet(url);
    assert.equal(first.status, 200);
    assert.ok(first.aborted, 'connection closed early');
    assert.ok(first.received < first.length, `${first.received} < ${first.length}`);
    const again = await download(url);
    assert.equal(sha256(again.bytes), s.videoSha256(taskId, 'original'));
    // Each file is cut once: the 1080p file of the same task too.
    const hd = await waitFor('1080p', async () => {
      const r = await api(s, 'GET', `/api/v1/veo/get-1080p-video?taskId=${taskId}`);
      return r.code === 200 ? dataOf<{ resultUrl: string }>(r).resultUrl : undefined;
    });
    assert.ok((await rawGet(hd)).aborted);
    assert.equal(sha256((await download(hd)).bytes), s.videoSha256(taskId, '1080p'));
  });

  void it('slow: paced at slowBytesPerSec', async () => {
    const s = await sim({ faults: { download: 'slow', slowBytesPerSec: 40_000, videoBytes: 30_000 } });
    const { taskId, url } = await resultUrl(s);
    const start = Date.now();
    const file = await download(url);
    const took = Date.now() - start;
    assert.equal(sha256(file.bytes), s.videoSha256(taskId, 'original'));
    assert.ok(took >= 500, `30 KB at 40 KB/s took ${took} ms`);
  });

  void it('not-mp4: HTML bytes where the video should be (labelled video/mp4)', async () => {
    const s = await sim();
    const { url } = await resultUrl(s, {}, { 'x-sim-faults': '{"download":"not-mp4"}' });
    const file = await download(url);
    assert.equal(file.status, 200);
    assert.match(file.bytes.toString(), /^<!DOCTYPE html>/);
    assert.notEqual(file.bytes.subarray(4, 8).toString('latin1'), 'ftyp');
  });

  void it('download faults are read per request: setting one later applies to existing files', async () => {
    const s = await sim();
    const { url } = await resultUrl(s);
    s.setFaults({ download: 'not-mp4' });
    assert.match((await download(url)).bytes.toString(), /html/);
    s.setFaults({});
    assert.equal((await download(url)).bytes.subarray(4, 8).toString('latin1'), 'ftyp');
  });
});
