/**
 * The bytes of simulated results. A video is the fixture MP4 followed by a `free` box — valid MP4
 * that players skip — holding the task id and variant, so every file hashes differently, and padded
 * with zeros up to the requested size for large-file tests. Videos are produced in chunks, never
 * whole in memory, so a multi-gigabyte `videoBytes` costs nothing until it is read. An image is a
 * sample image of its format with a comment naming the task and result index (a PNG `tEXt` chunk,
 * a JPEG COM segment, an unknown WebP chunk), again so that every file hashes differently.
 */
import { createHash } from 'node:crypto';
import { PNG_HEADER_BYTES, pngText, riffChunk, webpFile } from './image-formats.js';
import { SAMPLE_IMAGE_SIZE, SAMPLE_JPG, SAMPLE_MP4, SAMPLE_PNG, SAMPLE_WEBP_VP8L } from './sample-bytes.js';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export const IMAGE_CONTENT_TYPES: Readonly<Record<ImageFormat, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};

export interface Media {
  readonly size: number;
  readonly contentType: string;
  /** The bytes in [start, end) as a sequence of buffers. */
  chunks(start?: number, end?: number): Iterable<Buffer>;
}

const ZEROS = Buffer.alloc(64 * 1024);
const MAX_BOX32 = 0xffffffff;

function freeBoxHeader(boxSize: number): Buffer {
  if (boxSize <= MAX_BOX32) {
    const h = Buffer.alloc(8);
    h.writeUInt32BE(boxSize, 0);
    h.write('free', 4, 'latin1');
    return h;
  }
  // Boxes over 4 GiB use size 1 and a 64-bit "largesize" after the type.
  const h = Buffer.alloc(16);
  h.writeUInt32BE(1, 0);
  h.write('free', 4, 'latin1');
  h.writeBigUInt64BE(BigInt(boxSize), 8);
  return h;
}

/** A run of segments, each either bytes or a count of zeros. */
function segmentedMedia(segments: Array<Buffer | number>, contentType: string): Media {
  const lengths = segments.map((s) => (typeof s === 'number' ? s : s.length));
  const size = lengths.reduce((a, b) => a + b, 0);
  return {
    size,
    contentType,
    *chunks(start = 0, end = size) {
      let offset = 0;
      for (const [i, seg] of segments.entries()) {
        const len = lengths[i]!;
        const from = Math.max(start, offset);
        const to = Math.min(end, offset + len);
        if (from < to) {
          if (typeof seg !== 'number') {
            yield seg.subarray(from - offset, to - offset);
          } else {
            for (let p = from; p < to; p += ZEROS.length)
              yield ZEROS.subarray(0, Math.min(ZEROS.length, to - p));
          }
        }
        offset += len;
      }
    },
  };
}

/** The video served for (taskId, variant), at least `minSize` bytes long. */
export function videoMedia(taskId: string, variant: string, minSize = 0): Media {
  const tag = Buffer.from(`kie-sim:${taskId}:${variant}`);
  const smallest = 8 + tag.length;
  let boxSize = Math.max(smallest, minSize - SAMPLE_MP4.length);
  if (boxSize > MAX_BOX32) boxSize = Math.max(boxSize, 16 + tag.length);
  const header = freeBoxHeader(boxSize);
  const padding = boxSize - header.length - tag.length;
  return segmentedMedia([SAMPLE_MP4, header, tag, padding], 'video/mp4');
}

/** The image served as result `tag` (e.g. `<taskId>:2`) in `format`. */
export function imageMedia(format: ImageFormat, tag: string): Media {
  const text = `kie-sim:${tag}`;
  const type = IMAGE_CONTENT_TYPES[format];
  if (format === 'png') {
    return segmentedMedia(
      [
        SAMPLE_PNG.subarray(0, PNG_HEADER_BYTES),
        pngText('Comment', text),
        SAMPLE_PNG.subarray(PNG_HEADER_BYTES),
      ],
      type,
    );
  }
  if (format === 'jpeg') {
    // A COM segment right after SOI: marker FFFE, then a length that counts itself.
    const body = Buffer.from(text, 'latin1');
    const com = Buffer.alloc(4);
    com.writeUInt16BE(0xfffe, 0);
    com.writeUInt16BE(body.length + 2, 2);
    return segmentedMedia([SAMPLE_JPG.subarray(0, 2), com, body, SAMPLE_JPG.subarray(2)], type);
  }
  const { width, height } = SAMPLE_IMAGE_SIZE;
  return segmentedMedia(
    [webpFile(width, height, SAMPLE_WEBP_VP8L, [riffChunk('KSIM', Buffer.from(text, 'latin1'))])],
    type,
  );
}

/**
 * A CDN error page where media should be: labelled as the file it replaces (video/mp4 by default),
 * so only sniffing the bytes catches it.
 */
export function notMp4Media(contentType = 'video/mp4'): Media {
  return segmentedMedia(
    [
      Buffer.from(
        '<!DOCTYPE html>\n<html><head><title>403 Forbidden</title></head><body><h1>Access denied</h1></body></html>\n',
      ),
    ],
    contentType,
  );
}

export function sha256Of(media: Media): string {
  const hash = createHash('sha256');
  for (const chunk of media.chunks()) hash.update(chunk);
  return hash.digest('hex');
}
