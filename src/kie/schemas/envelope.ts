/**
 * KIE's reply envelope `{ code, msg, data }` (docs/kie-api.md#envelope). One Market doc version spells the
 * message `message`, so the message is `msg ?? message`. `body.code` is authoritative — KIE reports
 * most errors as HTTP 200 with the error in `code` — and success ⇔ `code === 200`.
 */
import { z } from 'zod';
import { intSchema } from './primitives.js';

export interface KieEnvelope {
  code: number;
  msg: string;
  data: unknown;
  /**
   * The body was not KIE's envelope (a proxy's or gateway's page): code and msg are the HTTP status
   * and status text. Absent when it was KIE's.
   */
  foreign?: true;
}

export const envelopeSchema = z
  .looseObject({
    code: intSchema,
    msg: z.string().nullish().catch(null),
    message: z.string().nullish().catch(null),
    data: z.unknown().optional(),
  })
  .transform((e): KieEnvelope => ({ code: e.code, msg: e.msg ?? e.message ?? '', data: e.data ?? null }));

/**
 * The envelope of an HTTP reply. A body that is not JSON, or JSON without a `code` (a proxy's error
 * page, a gateway's `{"error":…}`), becomes `{ code: httpStatus, msg: statusText, data: null }`.
 */
export function envelopeFromHttp(status: number, statusText: string, text: string): KieEnvelope {
  try {
    const parsed = envelopeSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON
  }
  return { code: status, msg: statusText || `HTTP ${status}`, data: null, foreign: true };
}
