/** Byte-range downloads over HTTP: the 416 answer and the 200/206 headers around a stored body. */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { parseRangeHeader } from '../../storage/index.js';
import { HttpProblem } from '../problem.js';

export interface ByteSpan {
  start: number;
  end: number;
}

/**
 * The request's range within an object of `size` bytes (null: the whole object). An unsatisfiable
 * range throws 416 with `Content-Range: bytes * /size`, before anything is opened.
 */
export function requestedRange(req: Request, res: Response): (size: number) => ByteSpan | null {
  return (size) => {
    const range = parseRangeHeader(req.get('range'), size);
    if (range !== 'unsatisfiable') return range;
    res.setHeader('content-range', `bytes */${size}`);
    throw new HttpProblem(
      416,
      'Range Not Satisfiable',
      size > 0 ? `Valid byte ranges are 0-${size - 1}.` : 'The file is empty.',
    );
  };
}

/** A body that ended before its promised length (a file truncated while it was read). */
export class ShortBodyError extends Error {
  override name = 'ShortBodyError';
}

/**
 * Passes exactly `length` bytes on, and fails when the source ends sooner: the response promised
 * that many in Content-Length, and ending it short would look like a whole file to nobody but would
 * leave the client waiting for the rest on a kept-alive connection.
 */
class ExactLength extends Transform {
  private seen = 0;
  constructor(private readonly length: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    done(null, chunk);
  }
  override _flush(done: TransformCallback): void {
    done(
      this.seen === this.length
        ? null
        : new ShortBodyError(`The stored body ended after ${this.seen} of ${this.length} bytes.`),
    );
  }
}

/**
 * Sends `body` (already cut to `range`) as 200 or 206 and resolves once it is all sent, or the client
 * went away. `pipeline` ties the two ends: a client that disconnects destroys the body (its file
 * descriptor or S3 socket is freed at once), and a body that fails mid-way (a read error, a file that
 * shrank) destroys the response, which the client sees as a cut-off download; that error is thrown
 * for the caller to log, the process carries on.
 */
export async function sendBytes(
  res: Response,
  file: { size: number; range: ByteSpan | null; headers: Record<string, string>; body: Readable },
): Promise<void> {
  const { size, range, headers, body } = file;
  const common = { ...headers, 'accept-ranges': 'bytes' };
  const length = range ? range.end - range.start + 1 : size;
  if (range) {
    res.writeHead(206, {
      ...common,
      'content-range': `bytes ${range.start}-${range.end}/${size}`,
      'content-length': String(length),
    });
  } else {
    res.writeHead(200, { ...common, 'content-length': String(length) });
  }
  if (res.req.method === 'HEAD') {
    // Headers only: the file is not read.
    body.destroy();
    res.end();
    return;
  }
  try {
    await pipeline(body, new ExactLength(length), res);
  } catch (err) {
    // The client went away (pipeline reports the response's early close so): nothing failed on our
    // side, and the body is already destroyed. Anything else is the body's failure.
    if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    throw err;
  }
}
