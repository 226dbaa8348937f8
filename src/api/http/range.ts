/** Byte-range downloads over HTTP: the 416 answer and the 200/206 headers around a stored body. */
import type { Readable } from 'node:stream';
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

/** Sends `body` (already cut to `range`) as 200 or 206; resolves when the response is closed. */
export async function sendBytes(
  res: Response,
  file: { size: number; range: ByteSpan | null; headers: Record<string, string>; body: Readable },
): Promise<void> {
  const { size, range, headers, body } = file;
  const common = { ...headers, 'accept-ranges': 'bytes' };
  if (range) {
    res.writeHead(206, {
      ...common,
      'content-range': `bytes ${range.start}-${range.end}/${size}`,
      'content-length': String(range.end - range.start + 1),
    });
  } else {
    res.writeHead(200, { ...common, 'content-length': String(size) });
  }
  body.pipe(res);
  await new Promise<void>((resolve) => res.on('close', resolve));
}
