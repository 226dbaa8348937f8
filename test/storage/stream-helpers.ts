import { Readable } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

export async function readAll(body: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Emits `bytes` in small chunks with a turn of the event loop between them, so concurrent writers interleave. */
export function trickle(bytes: Buffer, chunkSize = 4096): Readable {
  return Readable.from(
    (async function* () {
      for (let at = 0; at < bytes.length; at += chunkSize) {
        await yieldToLoop();
        yield bytes.subarray(at, at + chunkSize);
      }
    })(),
  );
}

/** Emits `bytes`, then fails: a download that broke half way. */
export function failingAfter(bytes: Buffer, error: Error): Readable {
  return Readable.from(
    (async function* () {
      yield bytes;
      await yieldToLoop();
      throw error;
    })(),
  );
}

/** Distinct, recognisable content: `n` repeated, so a mix of two bodies would be visible. */
export const bodyOf = (n: number, size: number): Buffer => Buffer.alloc(size, n);
