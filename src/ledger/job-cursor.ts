/**
 * Opaque keyset cursor for job listings, ordered by (created_at desc, id desc): the position of the
 * last row of a page. Keyset, not OFFSET, so pages stay stable while new jobs arrive and cost the same
 * deep in the list. created_at travels as whole microseconds since the epoch — the column's exact
 * precision, which a JS Date (milliseconds) would round and so skip or repeat rows.
 */
import { InvalidCursor } from '../domain/index.js';

export interface JobCursor {
  createdUs: number;
  id: string;
}

export const encodeJobCursor = (c: JobCursor): string =>
  Buffer.from(JSON.stringify([c.createdUs, c.id])).toString('base64url');

export function decodeJobCursor(cursor: string): JobCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursor();
  }
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    !Number.isSafeInteger(value[0]) ||
    typeof value[1] !== 'string'
  ) {
    throw new InvalidCursor();
  }
  return { createdUs: value[0] as number, id: value[1] };
}

/** SQL for "created_at, id strictly after the cursor in descending order", given its two parameters. */
export const afterCursorSql = (usParam: string, idParam: string): string =>
  `(created_at, id) < (timestamptz 'epoch' + ${usParam}::int8 * interval '1 microsecond', ${idParam}::text)`;

/** SQL selecting the cursor position of a row. extract() is exact (numeric) since Postgres 14. */
export const CURSOR_COLUMN_SQL = `(extract(epoch from created_at) * 1000000)::int8 as cursor_us`;
