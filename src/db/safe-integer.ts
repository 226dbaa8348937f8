/**
 * int8 (bigint: counts, sums, bigserial ids) as a JS number. Credit amounts stay far below 2^53, so a
 * number is what callers want; past 2^53 we fail loudly rather than round a balance silently.
 */
export function parseSafeInteger(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} does not fit a JS number`);
  return n;
}
