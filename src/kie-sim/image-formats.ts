/**
 * The little of the PNG and WebP formats the simulator needs to make valid image files without an
 * image library: PNG chunks (with their CRC-32), a PNG encoder for plain RGB rows, and a lossless
 * WebP (VP8L) of one colour, which needs no entropy coding at all. Each file also gets a text chunk
 * naming its task and index, so no two results hash the same (media.ts).
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as PNG uses it (ISO 3309, the same as zlib's). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data, CRC of type + data. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Signature plus the IHDR chunk (8 + 4 + 4 + 13 + 4 bytes): where extra chunks may go after. */
export const PNG_HEADER_BYTES = 33;

/** An 8-bit RGB PNG of `width` × `height`; `pixel(x, y)` gives [r, g, b]. */
export function encodePng(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number],
): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  // compression, filter and interlace methods stay 0
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3); // the row's filter byte (0: none) is left 0
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 3);
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A `tEXt` chunk (keyword, NUL, Latin-1 text). */
export const pngText = (keyword: string, text: string): Buffer =>
  pngChunk('tEXt', Buffer.from(`${keyword}\0${text}`, 'latin1'));

/** Writes values least-significant bit first, as VP8L reads them. */
class BitWriter {
  private bytes: number[] = [];
  private bit = 0;
  write(value: number, bits: number): this {
    for (let i = 0; i < bits; i++) {
      if (this.bit % 8 === 0) this.bytes.push(0);
      if ((value >>> i) & 1) this.bytes[this.bytes.length - 1]! |= 1 << (this.bit % 8);
      this.bit++;
    }
    return this;
  }
  buffer(): Buffer {
    return Buffer.from(this.bytes);
  }
}

/**
 * The VP8L bitstream of a `width` × `height` image of one opaque colour: the header, no transforms,
 * no colour cache, no meta prefix codes, then five "simple" prefix codes of one symbol each (green,
 * red, blue, alpha, distance). A one-symbol code takes zero bits per pixel, so no pixel data follows.
 */
export function solidVp8l(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const w = new BitWriter()
    .write(0x2f, 8) // signature
    .write(width - 1, 14)
    .write(height - 1, 14)
    .write(0, 1) // alpha_is_used
    .write(0, 3) // version
    .write(0, 1) // no transform
    .write(0, 1) // no colour cache
    .write(0, 1); // no meta prefix codes
  const oneSymbol = (symbol: number) => w.write(1, 1).write(0, 1).write(1, 1).write(symbol, 8);
  oneSymbol(g);
  oneSymbol(r);
  oneSymbol(b);
  oneSymbol(0xff); // alpha
  w.write(1, 1).write(0, 1).write(0, 1).write(0, 1); // distance: one 1-bit symbol, 0
  return w.buffer();
}

/** A RIFF chunk: FourCC, little-endian size, data, a pad byte to an even length. */
export function riffChunk(fourCc: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(fourCc, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

/**
 * An extended-format WebP: VP8X (no feature flags, the canvas size), the VP8L image, then `extra`
 * chunks, which readers skip as unknown chunks.
 */
export function webpFile(width: number, height: number, vp8l: Buffer, extra: Buffer[] = []): Buffer {
  const vp8x = Buffer.alloc(10);
  vp8x.writeUIntLE(width - 1, 4, 3);
  vp8x.writeUIntLE(height - 1, 7, 3);
  const body = Buffer.concat([
    Buffer.from('WEBP', 'latin1'),
    riffChunk('VP8X', vp8x),
    riffChunk('VP8L', vp8l),
    ...extra,
  ]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}
