import type { ByteRange } from './types.js';

/**
 * Turns a requested range into file offsets, clamping `end` to the last byte. An unsatisfiable range
 * is a caller bug (the HTTP layer answers 416 before asking), so it throws instead of returning
 * an empty body that would look like a successful read.
 */
export function resolveRange(range: ByteRange, size: number): { start: number; end: number } {
  const { start } = range;
  const end = Math.min(range.end ?? size - 1, size - 1);
  if (
    !Number.isSafeInteger(start) ||
    start < 0 ||
    (range.end !== undefined && !Number.isSafeInteger(range.end)) ||
    start > end
  ) {
    throw new RangeError(
      `Unsatisfiable byte range ${start}-${range.end ?? ''} for an object of ${size} bytes.`,
    );
  }
  return { start, end };
}
