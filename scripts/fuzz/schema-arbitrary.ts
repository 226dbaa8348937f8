/**
 * fast-check arbitraries from the JSON Schemas of the OpenAPI document: values that follow a schema
 * most of the time (so requests get past validation and reach the services and the database), with
 * edge values at its bounds and beyond (so the bounds themselves are tried), and now and then a value
 * of the wrong type or a hostile string.
 */
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  format?: string;
  pattern?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
}

/** Strings that have broken servers: control and NUL characters, lone surrogates, SQL and path text. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff\ud800',
    '\u202e',
    '%00',
    '%',
    '%%30',
    '../../etc/passwd',
    "'; drop table users; --",
    '${jndi:x}',
    '\r\nX-Injected: 1',
    '𝕏'.repeat(40),
    'A'.repeat(5001),
    'e'.repeat(100_000),
    'NaN',
    '-0',
    '1e309',
    '9'.repeat(40),
    'true',
    'null',
    '__proto__',
    'constructor',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

/** Numbers at and beyond every boundary a database or a JSON parser cares about. */
export const edgeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    1,
    -1,
    0.5,
    2 ** 31 - 1,
    2 ** 31,
    -(2 ** 31),
    -(2 ** 31) - 1,
    2 ** 32,
    2 ** 53 - 1,
    2 ** 53,
    -(2 ** 53),
    2 ** 63,
    1e308,
    -1e308,
    5e-324,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  edgeNumber,
  hostileString,
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** A value for `schema`: mostly conforming, sometimes at or past its bounds, rarely of another type. */
export function valueFor(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.jsonValue({ maxDepth: 2 });
  return fc.oneof({ arbitrary: conforming(schema, depth), weight: 8 }, { arbitrary: wrongType, weight: 1 });
}

function conforming(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.oneof({ arbitrary: fc.constantFrom(...schema.enum), weight: 6 }, hostileString);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => valueFor(s, depth + 1)));
  if (schema.allOf?.length) return valueFor(schema.allOf[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (type.length > 1) return fc.oneof(...type.map((t) => conforming({ ...schema, type: t }, depth)));
  switch (type[0]) {
    case 'object':
      return objectFor(schema, depth);
    case 'array':
      return fc.array(valueFor(schema.items, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min((schema.maxItems ?? 4) + 1, 8),
      });
    case 'string':
      return stringFor(schema);
    case 'integer':
    case 'number':
      return numberFor(schema, type[0] === 'integer');
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectFor(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(props).map(
    ([name, s]) =>
      // Required keys are present 19 times in 20, optional ones half the time.
      [
        name,
        fc.option(valueFor(s, depth + 1), { freq: required.has(name) ? 19 : 1, nil: undefined }),
      ] as const,
  );
  const known = fc.record(Object.fromEntries(entries));
  const extra = fc.option(
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
    {
      freq: 8,
      nil: undefined,
    },
  );
  return fc.tuple(known, extra).map(([k, e]) => {
    const out: Record<string, unknown> = { ...(e ?? {}) };
    for (const [key, v] of Object.entries(k)) if (v !== undefined) out[key] = v;
    return out;
  });
}

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 64;
  const plain =
    schema.format === 'uri'
      ? fc.oneof(
          fc.webUrl(),
          fc.constantFrom('http://127.0.0.1/x.png', 'https://169.254.169.254/', 'ftp://x/y', 'https://'),
        )
      : fc.string({ minLength: min, maxLength: Math.min(max, 80) });
  const edges = fc.constantFrom(
    'x'.repeat(min),
    'y'.repeat(Math.min(max, 100_000)),
    'z'.repeat(Math.min(max + 1, 100_001)),
  );
  return fc.oneof(
    { arbitrary: plain, weight: 6 },
    { arbitrary: edges, weight: 1 },
    { arbitrary: hostileString, weight: 2 },
  );
}

function numberFor(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const lo = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1_000);
  const hi =
    schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1_000_000);
  const inRange = integer
    ? fc.integer({
        min: Math.max(Math.ceil(lo), Number.MIN_SAFE_INTEGER),
        max: Math.min(Math.floor(hi), Number.MAX_SAFE_INTEGER),
      })
    : fc.double({ min: lo, max: hi, noNaN: true });
  const bounds = fc.constantFrom(lo, hi, lo - 1, hi + 1);
  return fc.oneof(
    { arbitrary: inRange, weight: 5 },
    { arbitrary: bounds, weight: 1 },
    { arbitrary: edgeNumber, weight: 2 },
  );
}

/**
 * A value that satisfies `schema` as far as JSON Schema says (no hostile text, numbers in range,
 * required keys only plus some optional ones): requests that pass validation and reach the services.
 */
export function validValueFor(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.constant(null);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => validValueFor(s, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const required = new Set(schema.required ?? []);
      const entries = Object.entries(schema.properties ?? {}).map(
        ([name, s]) =>
          [
            name,
            required.has(name)
              ? validValueFor(s, depth + 1)
              : fc.option(validValueFor(s, depth + 1), { nil: undefined }),
          ] as const,
      );
      return fc
        .record(Object.fromEntries(entries))
        .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
    }
    case 'array':
      return fc.array(validValueFor(schema.items, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      });
    case 'string':
      return schema.format === 'uri'
        ? fc.webUrl({ validSchemes: ['https'] })
        : fc
            .string({
              minLength: Math.max(schema.minLength ?? 0, 1),
              maxLength: Math.min(schema.maxLength ?? 40, 40),
            })
            .filter((s) => s.trim().length > 0);
    case 'integer': {
      const lo = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0);
      const hi =
        schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 10_000);
      return fc.integer({ min: lo, max: Math.max(lo, Math.min(hi, lo + 100_000)) });
    }
    case 'number':
      return fc.double({ min: schema.minimum ?? 0, max: schema.maximum ?? 10_000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    default:
      return fc.constant(null);
  }
}
