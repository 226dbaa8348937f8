/**
 * The archive checks what it stores by its first bytes: a video must be an MP4, an image a PNG, JPEG
 * or WebP — and the content type recorded is the one the bytes show, not the one a server claims.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { DownloadVerifier, type ExpectedMedia } from '../../src/archive/download-verifier.js';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(40)]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), Buffer.alloc(40)]);
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom'), Buffer.alloc(40)]);
const HTML = Buffer.from('<!doctype html><html><body>Not found</body></html>');

/** Streams `bytes` through a verifier, split into 1-byte chunks first (the head arrives in pieces). */
async function verify(bytes: Buffer, expect: ExpectedMedia) {
  const verifier = new DownloadVerifier({ maxBytes: 1 << 20, expectedBytes: bytes.length, expect });
  const chunks: Buffer[] = [...bytes.subarray(0, 12)].map((b) => Buffer.from([b]));
  chunks.push(bytes.subarray(12));
  await pipeline(Readable.from(chunks), verifier, new Writable({ write: (_c, _e, done) => done() }));
  return verifier.result();
}

describe('archive signatures', () => {
  it('images: PNG, JPEG and WebP recognised with their content type', async () => {
    assert.equal((await verify(PNG, 'image')).contentType, 'image/png');
    assert.equal((await verify(JPEG, 'image')).contentType, 'image/jpeg');
    assert.equal((await verify(WEBP, 'image')).contentType, 'image/webp');
  });

  it('a video is an MP4; anything else fails for what it is', async () => {
    assert.equal((await verify(MP4, 'video')).contentType, 'video/mp4');
    await assert.rejects(verify(PNG, 'video'), /not an MP4/);
    await assert.rejects(verify(MP4, 'image'), /not a PNG, JPEG or WebP image/);
    await assert.rejects(
      verify(HTML, 'image'),
      /not a PNG, JPEG or WebP image \(it starts with "<!doctyp"\)/,
    );
    await assert.rejects(verify(Buffer.from([0xff, 0xd8]), 'image'), /too short to be an image/);
  });
});
