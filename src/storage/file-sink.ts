import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

/**
 * A Writable over an open FileHandle that leaves the handle open at the end, so the caller can
 * fsync before closing. (fs.WriteStream with autoClose:false never emits 'close', which
 * stream.pipeline waits for; its `flush` option needs Node 20.10.) Backpressure is the usual
 * Writable one: at most highWaterMark bytes wait in memory.
 */
export function fileSink(fh: FileHandle): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      writeFully(fh, chunk).then(() => done(), done);
    },
    writev(chunks, done) {
      writeFully(fh, Buffer.concat(chunks.map((c) => c.chunk as Buffer))).then(() => done(), done);
    },
  });
}

/** write(2) may write less than asked; loop until the whole buffer is in the file. */
async function writeFully(fh: FileHandle, buf: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buf.length) {
    const { bytesWritten } = await fh.write(buf, offset, buf.length - offset);
    offset += bytesWritten;
  }
}
