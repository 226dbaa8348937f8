/**
 * The transform between the HTTP body and storage: hashes, counts, enforces the size cap, checks the
 * file's signature (MP4 for videos; PNG, JPEG or WebP for images) and reports progress as bytes
 * pass — holding one chunk at a time, never the file.
 * Any failure errors the stream, which makes `storage.put` discard its temporary file.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ArchiveError } from './archive-error.js';

export interface Progress {
  bytes: number;
  total: number | null;
}

/** What a file is expected to be: its signature is checked against the kind's formats. */
export type ExpectedMedia = 'video' | 'image';

/** Bytes needed to recognise every format (WebP: `RIFF` size `WEBP`). */
const HEAD_BYTES = 12;

/** Heartbeats need a sign of life, not a stream of them; Temporal throttles too, but calls cost. */
const PROGRESS_EVERY_MS = 1000;

export class DownloadVerifier extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  /** The first bytes, which may arrive split across chunks. */
  private head = Buffer.alloc(0);
  private detected: string | null = null;
  private lastProgressAt = 0;
  private sha256: string | null = null;

  constructor(
    private readonly opts: {
      maxBytes: number;
      /** Content-Length when the server sent a usable one; the byte count must end equal to it. */
      expectedBytes: number | null;
      onProgress?: ((p: Progress) => void) | undefined;
      /** Called on every chunk: the idle timeout's keep-alive. */
      onChunk?: (() => void) | undefined;
      /** Default video. */
      expect?: ExpectedMedia | undefined;
    },
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.opts.onChunk?.();
    this.bytes += chunk.length;
    if (this.bytes > this.opts.maxBytes) {
      return done(new ArchiveError('too_large', `The file exceeds the ${this.opts.maxBytes}-byte limit.`));
    }
    if (this.detected === null && this.head.length < HEAD_BYTES) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_BYTES - this.head.length)]);
      if (this.head.length === HEAD_BYTES) {
        const wrong = this.recognise();
        if (wrong) return done(wrong);
      }
    }
    this.hash.update(chunk);
    this.reportProgress(false);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.detected === null) {
      // Shorter than HEAD_BYTES: a JPEG could still be recognised, but no real result is that small.
      const wrong = this.head.length >= 8 ? this.recognise() : null;
      if (wrong || this.detected === null)
        return done(
          wrong ??
            new ArchiveError(
              'not_mp4',
              `The downloaded file is ${this.bytes} bytes: too short to be ${this.expect === 'image' ? 'an image' : 'an MP4'}.`,
            ),
        );
    }
    // The HTTP client already fails a body shorter than Content-Length; this keeps the guarantee whatever the client.
    if (this.opts.expectedBytes !== null && this.bytes !== this.opts.expectedBytes) {
      return done(
        new ArchiveError('truncated', `Received ${this.bytes} of ${this.opts.expectedBytes} bytes.`),
      );
    }
    this.sha256 = this.hash.digest('hex');
    this.reportProgress(true);
    done();
  }

  /** Only meaningful once the stream has ended successfully. */
  result(): { size: number; sha256: string; contentType: string } {
    if (this.sha256 === null || this.detected === null)
      throw new Error('DownloadVerifier.result() called before the stream ended.');
    return { size: this.bytes, sha256: this.sha256, contentType: this.detected };
  }

  private get expect(): ExpectedMedia {
    return this.opts.expect ?? 'video';
  }

  /** Sets the detected content type from the head, or returns why the file is not what was expected. */
  private recognise(): ArchiveError | null {
    this.detected = contentTypeOf(this.head, this.expect);
    if (this.detected) return null;
    const what = this.expect === 'image' ? 'a PNG, JPEG or WebP image' : 'an MP4';
    return new ArchiveError(
      'not_mp4',
      `The downloaded file is not ${what} (it starts with ${describeHead(this.head.subarray(0, 8))}).`,
    );
  }

  private reportProgress(final: boolean): void {
    if (!this.opts.onProgress) return;
    const now = Date.now();
    if (!final && now - this.lastProgressAt < PROGRESS_EVERY_MS) return;
    this.lastProgressAt = now;
    this.opts.onProgress({ bytes: this.bytes, total: this.opts.expectedBytes });
  }
}

/**
 * An ISO BMFF file (MP4, MOV, 3GP) starts with its `ftyp` box: a 4-byte size, then the type. An
 * HTML error page or a JSON error served with status 200 fails here, within the first chunk.
 */
export function hasFtypSignature(head: Buffer): boolean {
  return head.length >= 8 && head.toString('latin1', 4, 8) === 'ftyp';
}

/** The content type a file's first bytes show, among the formats of `expect`; null if none. */
export function contentTypeOf(head: Buffer, expect: ExpectedMedia): string | null {
  if (expect === 'video') return hasFtypSignature(head) ? 'video/mp4' : null;
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (
    head.length >= 12 &&
    head.toString('latin1', 0, 4) === 'RIFF' &&
    head.toString('latin1', 8, 12) === 'WEBP'
  )
    return 'image/webp';
  return null;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function describeHead(head: Buffer): string {
  const text = head.toString('latin1');
  return /^[\x20-\x7e]+$/.test(text) ? JSON.stringify(text) : `0x${head.toString('hex')}`;
}
