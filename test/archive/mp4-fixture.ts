/**
 * MP4 bytes for the archive tests: the encoded sample at test/fixtures/sample.mp4 when it is there,
 * otherwise a file built here with a valid box layout — `ftyp` (isom), `moov` holding a minimal
 * `mvhd`, then `mdat`. The archive only checks the signature, but a well-formed file keeps the
 * tests honest about what "an MP4" means.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

const SAMPLE = new URL('../fixtures/sample.mp4', import.meta.url);

export function sampleMp4(): Buffer {
  return existsSync(SAMPLE) ? readFileSync(SAMPLE) : buildMp4(Buffer.from('synthetic media payload'));
}

export function buildMp4(payload: Buffer): Buffer {
  return Buffer.concat([mp4Header(payload.length), payload]);
}

/** Everything before the media payload: ftyp + moov + the mdat box header (32-bit size, so < 4 GiB). */
export function mp4Header(payloadBytes: number): Buffer {
  const mdatHeader = Buffer.alloc(8);
  mdatHeader.writeUInt32BE(8 + payloadBytes, 0);
  mdatHeader.write('mdat', 4, 'latin1');
  return Buffer.concat([ftyp(), box('moov', mvhd()), mdatHeader]);
}

function ftyp(): Buffer {
  const body = Buffer.alloc(16);
  body.write('isom', 0, 'latin1'); // major brand
  body.writeUInt32BE(0x200, 4); // minor version
  body.write('isom', 8, 'latin1'); // compatible brands
  body.write('mp41', 12, 'latin1');
  return box('ftyp', body);
}

/** Movie header, version 0: timescale 1000, duration 1 s, rate 1.0, volume 1.0, identity matrix. */
function mvhd(): Buffer {
  const b = Buffer.alloc(100);
  b.writeUInt32BE(1000, 12); // timescale (after version/flags, creation, modification)
  b.writeUInt32BE(1000, 16); // duration
  b.writeUInt32BE(0x00010000, 20); // rate
  b.writeUInt16BE(0x0100, 24); // volume
  const matrix = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
  matrix.forEach((v, i) => b.writeUInt32BE(v, 36 + i * 4));
  b.writeUInt32BE(2, 96); // next track id
  return box('mvhd', b);
}

function box(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
