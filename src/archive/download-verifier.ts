/**
 * The transform between the HTTP body and storage: hashes, counts, enforces the size cap, checks the
 * MP4 signature and reports progress as bytes pass — holding one chunk at a time, never the file.
 * Any failure errors the stream, which makes `storage.put` discard its temporary file.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ArchiveError } from './archive-error.js';

export interface Progress {
  bytes: number;
  total: number | null;
}

/** Heartbeats need a sign of life, not a stream of them; Temporal throttles too, but calls cost. */
const PROGRESS_EVERY_MS = 1000;

export class DownloadVerifier extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  /** The first 8 bytes, which may arrive split across chunks. */
  private head = Buffer.alloc(0);
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
    if (this.head.length < 8) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, 8 - this.head.length)]);
      if (this.head.length === 8 && !hasFtypSignature(this.head)) {
        return done(
          new ArchiveError(
            'not_mp4',
            `The downloaded file is not an MP4 (it starts with ${describeHead(this.head)}).`,
          ),
        );
      }
    }
    this.hash.update(chunk);
    this.reportProgress(false);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.head.length < 8) {
      return done(
        new ArchiveError('not_mp4', `The downloaded file is ${this.bytes} bytes: too short to be an MP4.`),
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
  result(): { size: number; sha256: string } {
    if (this.sha256 === null) throw new Error('DownloadVerifier.result() called before the stream ended.');
    return { size: this.bytes, sha256: this.sha256 };
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

function describeHead(head: Buffer): string {
  const text = head.toString('latin1');
  return /^[\x20-\x7e]+$/.test(text) ? JSON.stringify(text) : `0x${head.toString('hex')}`;
}
