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

/**
 * The one reader of an HTTP `Range` header (RFC 9110 §14.1.2), for every server of bytes here (the
 * API's downloads, the KIE simulator's result files): `bytes=a-b`, `bytes=a-` or `bytes=-n`, as
 * inclusive offsets within an object of `size` bytes. null: no usable single range (absent, another
 * unit, several ranges), and the whole object is sent, which HTTP allows; 'unsatisfiable': answer 416.
 */
export function parseRangeHeader(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  const [, first = '', last = ''] = m;
  const requested: ByteRange =
    first === ''
      ? // A suffix: the last n bytes (all of them when n exceeds the size; `bytes=-0` is unsatisfiable).
        { start: Math.max(0, size - Number(last)) }
      : { start: Number(first), ...(last === '' ? {} : { end: Number(last) }) };
  if (requested.start >= size) return 'unsatisfiable';
  try {
    return resolveRange(requested, size);
  } catch {
    return 'unsatisfiable';
  }
}
