/**
 * Building blocks for KIE's loosely specified payloads (docs/kie-api.md). KIE's own docs disagree
 * with each other on types (arrays vs JSON strings, numbers vs numeric strings, several time
 * formats), so each primitive accepts every documented spelling and yields one plain value.
 *
 * Policy: fields the pipeline decides on (task ids, codes, states, URLs) are validated strictly —
 * a value we cannot interpret fails the parse. Informational fields (times, resolution, messages)
 * fall back to `null` via `.catch(null)`, so an odd timestamp never hides a finished video.
 */
import { z } from 'zod';

/** An integer sent as a number or as a numeric string (`"422"`), e.g. `code`, `failCode`, `errorCode`. */
export const intSchema = z.union([
  z.number().int(),
  z
    .string()
    .trim()
    .regex(/^-?\d+$/)
    .transform(Number),
]);

/** A finite number sent as a number or a numeric string (credits may be fractional: 1234.5). */
export const numberSchema = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

/** A non-empty string, or null when absent/empty/of another type. Informational only. */
export const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v ? v : null))
  .catch(null);

/** An optional boolean flag (`fallbackFlag`); anything else counts as unknown. */
export const optionalFlag = z
  .boolean()
  .nullish()
  .transform((v) => v ?? null)
  .catch(null);

/** An optional number (`costTime`, `creditsConsumed`); anything unparseable counts as unknown. */
export const optionalNumber = numberSchema
  .nullish()
  .transform((v) => v ?? null)
  .catch(null);

const nonEmpty = (s: string) => s.trim().length > 0;

/**
 * A URL list: a string array (documented), a JSON-encoded array string (OpenAPI types `resultUrls`
 * as string; one quickstart JSON-parses it), a single bare URL string, or null/absent (= none).
 */
export const urlListSchema = z
  .union([z.array(z.string()), z.string(), z.null()])
  .optional()
  .transform((v, ctx): string[] => {
    if (v === null || v === undefined) return [];
    if (Array.isArray(v)) return v.filter(nonEmpty);
    const s = v.trim();
    if (!s) return [];
    if (!s.startsWith('[')) return [s];
    try {
      const parsed: unknown = JSON.parse(s);
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed.filter(nonEmpty);
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'expected a URL array or a JSON-encoded URL array' });
    return z.NEVER;
  });

// Epoch values below this are seconds, above it milliseconds (1e11 s is the year 5138; 1e11 ms is 1973).
const EPOCH_MS_THRESHOLD = 1e11;
const KIE_LOCAL_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;

/**
 * Parses a KIE time: `"YYYY-MM-DD HH:mm:ss"` (Veo record-info examples; no zone given — taken as
 * UTC), ISO 8601 (the Veo schema; seed `createdAt`), or epoch milliseconds (Market) as a number or
 * numeric string. Epoch seconds are recognised by magnitude. Returns null when absent or unparseable.
 */
export function parseKieTime(v: unknown): Date | null {
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) v = Number(v.trim());
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v <= 0) return null;
    return new Date(v < EPOCH_MS_THRESHOLD ? v * 1000 : v);
  }
  if (typeof v !== 'string' || !v.trim()) return null;
  const s = v.trim();
  const local = KIE_LOCAL_TIME.exec(s);
  const d = new Date(local ? `${local[1]}T${local[2]}Z` : s);
  return Number.isNaN(d.getTime()) ? null : d;
}

export const timeSchema = z.unknown().optional().transform(parseKieTime);

/**
 * A field KIE sends as a JSON-encoded string (`paramJson`, `param`, `resultJson`). Also accepts an
 * already-decoded object. Empty/absent → null; a string that is not JSON is kept as the raw string.
 */
export const jsonStringSchema = z
  .unknown()
  .optional()
  .transform((v): unknown => {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') return v;
    if (!v.trim()) return null;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  });

/** Narrows a decoded JSON value to a plain object, or null. */
export function asRecord(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** Order-preserving de-duplication (the same URL may appear under several documented keys). */
export const unique = (urls: string[]): string[] => [...new Set(urls)];
