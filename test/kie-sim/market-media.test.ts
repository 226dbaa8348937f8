/**
 * The image files Market results are served as: well-formed PNG, JPEG and WebP (checked by walking
 * each format's structure here, independently of the code that wrote them), 160×90, and different
 * bytes for every task and result index.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { imageMedia, type ImageFormat } from '../../src/kie-sim/media.js';

const bytesOf = (format: ImageFormat, tag: string) => Buffer.concat([...imageMedia(format, tag).chunks()]);

void describe('Market image bytes', () => {
  void it('PNG: signature, IHDR 160×90 RGB, a tEXt naming the file, IDAT that inflates to every row, IEND', () => {
    const png = bytesOf('png', 'task_google_1:2');
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const chunks: Array<{ type: string; data: Buffer }> = [];
    for (let p = 8; p < png.length;) {
      const length = png.readUInt32BE(p);
      chunks.push({ type: png.toString('latin1', p + 4, p + 8), data: png.subarray(p + 8, p + 8 + length) });
      p += 12 + length;
    }
    assert.deepEqual(
      chunks.map((c) => c.type),
      ['IHDR', 'tEXt', 'IDAT', 'IEND'],
    );
    const ihdr = chunks[0]!.data;
    assert.deepEqual([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]], [160, 90, 8, 2]);
    assert.equal(chunks[1]!.data.toString('latin1'), 'Comment\0kie-sim:task_google_1:2');
    assert.equal(inflateSync(chunks[2]!.data).length, 90 * (1 + 160 * 3));
  });

  void it('JPEG: SOI, a COM segment naming the file, the frame, EOI', () => {
    const jpg = bytesOf('jpeg', 'task_google_1:0');
    assert.deepEqual([...jpg.subarray(0, 4)], [0xff, 0xd8, 0xff, 0xfe]);
    const length = jpg.readUInt16BE(4);
    assert.equal(jpg.toString('latin1', 6, 4 + length), 'kie-sim:task_google_1:0');
    assert.equal(jpg[4 + length], 0xff, 'the next segment follows');
    assert.deepEqual([...jpg.subarray(-2)], [0xff, 0xd9]);
  });

  void it('WebP: RIFF of the right size, VP8X with the canvas, a lossless 160×90 VP8L, a chunk naming the file', () => {
    const webp = bytesOf('webp', 'task_google_1:3');
    assert.equal(webp.toString('latin1', 0, 4), 'RIFF');
    assert.equal(webp.readUInt32LE(4), webp.length - 8);
    assert.equal(webp.toString('latin1', 8, 12), 'WEBP');
    const chunks: Array<{ fourCc: string; data: Buffer }> = [];
    for (let p = 12; p < webp.length;) {
      const size = webp.readUInt32LE(p + 4);
      chunks.push({ fourCc: webp.toString('latin1', p, p + 4), data: webp.subarray(p + 8, p + 8 + size) });
      p += 8 + size + (size % 2);
    }
    assert.deepEqual(
      chunks.map((c) => c.fourCc),
      ['VP8X', 'VP8L', 'KSIM'],
    );
    const vp8x = chunks[0]!.data;
    assert.deepEqual([vp8x[0], vp8x.readUIntLE(4, 3) + 1, vp8x.readUIntLE(7, 3) + 1], [0, 160, 90]);
    const vp8l = chunks[1]!.data;
    assert.equal(vp8l[0], 0x2f, 'VP8L signature');
    const bits = vp8l.readUInt32LE(1);
    assert.deepEqual([(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1, bits >>> 29], [160, 90, 0]);
    assert.equal(chunks[2]!.data.toString('latin1'), 'kie-sim:task_google_1:3');
  });

  void it('every task and index gets bytes of its own, the same every time', () => {
    for (const format of ['png', 'jpeg', 'webp'] as const) {
      const a = bytesOf(format, 't1:0');
      assert.deepEqual(bytesOf(format, 't1:0'), a);
      assert.notDeepEqual(bytesOf(format, 't1:1'), a);
      assert.notDeepEqual(bytesOf(format, 't2:0'), a);
    }
  });
});
