/**
 * Text the database can store. Postgres refuses NUL characters in text and jsonb, and jsonb refuses
 * unpaired UTF-16 surrogates (`"\ud800"`): such input, anywhere in a request, would otherwise reach a
 * query — or a workflow's activity, retried forever — and fail there. Refused at the door instead,
 * for every route at once, naming the field.
 */

/**
 * The path (`prompt`, `imageUrls.1`, a key itself) of the first string that is not storable text, or
 * null. Iterative: a body nested thousands of levels deep is a valid JSON document, not a stack overflow.
 */
export function firstUnstorableText(value: unknown): string[] | null {
  const pending: Array<{ value: unknown; path: string[] }> = [{ value, path: [] }];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const { value: v, path } = item;
    if (typeof v === 'string') {
      if (!storable(v)) return path;
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (!storable(k)) return [...path, k];
        pending.push({ value: child, path: [...path, k] });
      }
    }
  }
  return null;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const storable = (s: string): boolean => !s.includes('\u0000') && !LONE_SURROGATE.test(s);
