/**
 * Generated HTTP requests for every operation of the OpenAPI document (so a new route is fuzzed as
 * soon as it is declared), plus requests to paths no route declares. Each request picks: a method
 * (usually the operation's), path parameters (known ids of the fuzz world, or hostile text), a query
 * string, headers (auth of several kinds, content types, idempotency keys, ranges, event ids) and a
 * body (from the operation's schema, or malformed, oversized, deeply nested).
 */
import fc from 'fast-check';
import { hostileString, validValueFor, valueFor, type JsonSchema } from './schema-arbitrary.js';

export interface FuzzRequest {
  /** `METHOD /path/{param}` of the operation, or `unrouted`. */
  operation: string;
  method: string;
  /** Path and query string, already percent-encoded. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  auth: AuthKind;
}

export type AuthKind = 'user' | 'poor-user' | 'admin' | 'wrong-key' | 'malformed' | 'none';

export interface FuzzWorld {
  /** Known values per path parameter name (job ids, user ids, key ids, KIE task ids). */
  pools: Record<string, string[]>;
  authorization: Record<AuthKind, string | undefined>;
  /** The valid callback token of a job id. */
  callbackToken(jobId: string): string;
  /** KIE's signature headers for a task id (valid now). */
  kieSignature(taskId: string): Record<string, string>;
}

interface Operation {
  method: string;
  path: string;
  parameters?: Array<{ name: string; in: string; schema?: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

export function operationsOf(doc: OpenApiDoc): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
  );
}

/** Percent-encodes any string, lone surrogates included (as U+FFFD, as UTF-8 encoding does). */
export function encode(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) =>
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      '-_.~'.includes(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** Raw path segments that are valid on the wire but odd for a router. */
const rawSegment = fc.constantFrom('..', '.', '%', '%zz', '%00', '%2F', '%2e%2e', '', ';x', '%C0%AF', '*');

/** Header values Node will send: visible ASCII and spaces, some of them hostile to parsers. */
const headerText = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
  fc.constantFrom(
    '',
    ' ',
    'x'.repeat(300),
    '0',
    '-1',
    '9'.repeat(30),
    'null',
    'bytes=',
    'bytes=-',
    'bytes=0-0,1-1',
  ),
);

const RANGES = fc.oneof(
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `bytes=${a}-${b}`),
  fc.nat().map((n) => `bytes=-${n}`),
  fc.nat().map((n) => `bytes=${n}-`),
  fc.constantFrom(
    'bytes=9999999999999999999-',
    'bytes=0-9007199254740993',
    'bytes=-0',
    'items=0-1',
    'bytes=5-1',
  ),
  headerText,
);

const CONTENT_TYPES = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/merge-patch+json',
  '',
  'application/json; charset=utf-16',
);

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** A request body: JSON from the schema most of the time, else malformed or extreme text. */
function bodyFor(schema: JsonSchema | undefined): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { arbitrary: valueFor(schema).map((v) => JSON.stringify(v) ?? 'null'), weight: 14 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'), weight: 2 },
    { arbitrary: hostileString, weight: 1 },
    {
      arbitrary: fc.constantFrom(
        '{',
        '{"a":',
        '[1,2',
        '{"prompt":"x",}',
        'null',
        '""',
        '1',
        '\u0000',
        '{"a":"\\u0000"}',
        '{"__proto__":{"x":1}}',
      ),
      weight: 1,
    },
    { arbitrary: fc.constantFrom(nested(5000), JSON.stringify({ prompt: 'x'.repeat(70_000) })), weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

/** A KIE-shaped callback body, for the webhook route: mostly well-formed, about known task ids. */
function callbackBody(world: FuzzWorld): fc.Arbitrary<string | undefined> {
  const taskIds = world.pools.taskId?.length ? world.pools.taskId : ['task-unknown'];
  const taskId = fc.oneof(fc.constantFrom(...taskIds), hostileString);
  const shaped = fc
    .record({
      code: fc.oneof(fc.constantFrom(200, 400, 422, 500, 501), fc.integer()),
      msg: fc.oneof(fc.constant('success'), hostileString),
      data: fc.record({
        taskId,
        info: fc.option(fc.record({ resultUrls: fc.array(fc.webUrl(), { maxLength: 2 }) }), {
          nil: undefined,
        }),
        fallbackFlag: fc.option(fc.boolean(), { nil: undefined }),
      }),
    })
    .map((b) => JSON.stringify(b));
  return fc.oneof({ arbitrary: shaped, weight: 4 }, { arbitrary: bodyFor(undefined), weight: 1 });
}

function pathFor(
  op: Operation,
  world: FuzzWorld,
): fc.Arbitrary<{ path: string; params: Record<string, string> }> {
  const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const valueOf = (name: string) => {
    const known = world.pools[name] ?? [];
    const encoded = fc.oneof(hostileString, fc.string({ maxLength: 30 })).map(encode);
    return known.length
      ? fc.oneof(
          { arbitrary: fc.constantFrom(...known), weight: 6 },
          { arbitrary: encoded, weight: 3 },
          { arbitrary: rawSegment, weight: 1 },
        )
      : fc.oneof({ arbitrary: encoded, weight: 4 }, { arbitrary: rawSegment, weight: 1 });
  };
  return fc.tuple(...names.map(valueOf)).map((values) => {
    const params = Object.fromEntries(names.map((n, i) => [n, values[i]!]));
    return { path: op.path.replace(/\{(\w+)\}/g, (_, n: string) => params[n]!), params };
  });
}

function queryFor(op: Operation): fc.Arbitrary<Array<[string, string]>> {
  const declared = (op.parameters ?? []).filter((p) => p.in === 'query');
  const pairs = declared.map((p) =>
    fc
      .option(
        fc.oneof(
          valueFor(p.schema).map((v) => [typeof v === 'string' ? v : (JSON.stringify(v) ?? '')]),
          // Repeated keys arrive as arrays; bracketed ones as objects in some parsers.
          fc.array(fc.string({ maxLength: 6 }), { minLength: 2, maxLength: 3 }),
        ),
        { freq: 3, nil: undefined },
      )
      .map((vs) => (vs ? vs.map((v) => [p.name, v] as [string, string]) : [])),
  );
  const extra = fc.array(
    fc.tuple(
      fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('limit[]', 'state[a]', '__proto__', 'token')),
      fc.oneof(hostileString, fc.string({ maxLength: 10 })),
    ),
    { maxLength: 2 },
  );
  return fc.tuple(fc.tuple(...pairs), extra).map(([p, e]) => [...p.flat(), ...e]);
}

function headersFor(
  op: Operation,
  world: FuzzWorld,
): fc.Arbitrary<{ auth: AuthKind; headers: Record<string, string> }> {
  const auth = fc.constantFrom<AuthKind>(
    'user',
    'user',
    'user',
    'poor-user',
    'admin',
    'admin',
    'wrong-key',
    'malformed',
    'none',
  );
  return fc
    .record({
      auth,
      contentType: CONTENT_TYPES,
      idempotencyKey: fc.option(fc.oneof(fc.constantFrom('fuzz-1', 'fuzz-2', 'fuzz-3'), headerText), {
        freq: 2,
        nil: undefined,
      }),
      range: fc.option(RANGES, { freq: op.path.endsWith('/content') ? 1 : 6, nil: undefined }),
      lastEventId: fc.option(fc.oneof(fc.nat().map(String), headerText), { freq: 3, nil: undefined }),
      requestId: fc.option(headerText, { freq: 4, nil: undefined }),
      accept: fc.option(fc.constantFrom('text/event-stream', 'application/json', '*/*', 'video/mp4', 'x/y'), {
        freq: 3,
        nil: undefined,
      }),
      signature: fc.option(fc.record({ sig: headerText, ts: fc.oneof(fc.nat().map(String), headerText) }), {
        freq: 4,
        nil: undefined,
      }),
    })
    .map((h) => {
      const headers: Record<string, string> = {};
      const authorization = world.authorization[h.auth];
      if (authorization !== undefined) headers.authorization = authorization;
      if (h.contentType) headers['content-type'] = h.contentType;
      if (h.idempotencyKey !== undefined) headers['idempotency-key'] = h.idempotencyKey;
      if (h.range !== undefined) headers.range = h.range;
      if (h.lastEventId !== undefined) headers['last-event-id'] = h.lastEventId;
      if (h.requestId !== undefined) headers['x-request-id'] = h.requestId;
      if (h.accept !== undefined) headers.accept = h.accept;
      if (h.signature) {
        headers['x-webhook-signature'] = h.signature.sig;
        headers['x-webhook-timestamp'] = h.signature.ts;
      }
      return { auth: h.auth, headers };
    });
}

function requestFor(op: Operation, world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const isWebhook = op.path.startsWith('/webhooks/');
  const schema = op.requestBody?.content?.['application/json']?.schema;
  const body = isWebhook
    ? callbackBody(world)
    : op.requestBody
      ? bodyFor(schema)
      : fc.option(bodyFor(undefined), { freq: 10, nil: undefined });
  return fc
    .record({
      method: fc.oneof(
        { arbitrary: fc.constant(op.method), weight: 17 },
        { arbitrary: fc.constantFrom(...METHODS), weight: 3 },
      ),
      path: pathFor(op, world),
      query: queryFor(op),
      headers: headersFor(op, world),
      body,
      // For the webhook: a valid per-job token and a valid KIE signature, each most of the time.
      validToken: fc.boolean(),
      validSignature: fc.boolean(),
    })
    .map((r) => {
      const headers = { ...r.headers.headers };
      const query = [...r.query];
      if (isWebhook) {
        const jobId = r.path.params.jobId ?? '';
        if (r.validToken) query.push(['token', world.callbackToken(decodeURIComponentSafe(jobId))]);
        const taskId = taskIdOf(r.body);
        if (r.validSignature && taskId) Object.assign(headers, world.kieSignature(taskId));
      }
      const qs = query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
      return {
        operation: `${op.method} ${op.path}`,
        method: r.method,
        path: qs ? `${r.path.path}?${qs}` : r.path.path,
        headers,
        ...(r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD' ? { body: r.body } : {}),
        auth: r.headers.auth,
      };
    });
}

/** Paths no route declares: near misses of real ones and random ones. */
function unrouted(world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const segment = fc.oneof(
    fc.constantFrom('v1', 'videos', 'api', 'admin', 'jobs', 'webhooks', 'kie', 'v2', '_sim'),
    fc.string({ maxLength: 10 }).map(encode),
    rawSegment,
  );
  return fc
    .record({
      method: fc.constantFrom(...METHODS),
      segments: fc.array(segment, { minLength: 1, maxLength: 6 }),
      headers: headersFor({ method: 'GET', path: '/' }, world),
      body: fc.option(bodyFor(undefined), { freq: 2, nil: undefined }),
    })
    .map((r) => ({
      operation: 'unrouted',
      method: r.method,
      path: `/${r.segments.join('/')}`,
      headers: r.headers.headers,
      ...(r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD' ? { body: r.body } : {}),
      auth: r.headers.auth,
    }));
}

/**
 * A well-formed request for the operation: its method, known ids, a body valid by its schema, the
 * user's key, JSON. Most of the hostile variants stop at validation; these reach the services, the
 * ledger and Temporal (and make jobs, whose holds the run then accounts for).
 */
function pristineFor(op: Operation, world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const schema = op.requestBody?.content?.['application/json']?.schema;
  const auth: AuthKind = op.path.startsWith('/admin') ? 'admin' : 'user';
  return fc
    .record({
      params: fc.tuple(
        ...names.map((n) => fc.constantFrom(...(world.pools[n]?.length ? world.pools[n] : ['x']))),
      ),
      body:
        op.requestBody && !op.path.startsWith('/webhooks/')
          ? validValueFor(schema).map((v) => JSON.stringify(v))
          : fc.constant(undefined),
      idempotencyKey: fc.option(fc.constantFrom('pristine-1', 'pristine-2', 'pristine-3', 'pristine-4'), {
        nil: undefined,
      }),
    })
    .map((r) => {
      let i = 0;
      const path = op.path.replace(/\{(\w+)\}/g, () => r.params[i++]!);
      const authorization = world.authorization[auth];
      return {
        operation: `${op.method} ${op.path}`,
        method: op.method,
        path,
        headers: {
          ...(authorization ? { authorization } : {}),
          'content-type': 'application/json',
          ...(r.idempotencyKey ? { 'idempotency-key': r.idempotencyKey } : {}),
        },
        ...(r.body !== undefined ? { body: r.body } : {}),
        auth,
      };
    });
}

/** Every operation with equal weight (a quarter of them well-formed), and unrouted paths as one more. */
export function fuzzRequests(doc: OpenApiDoc, world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    ...operationsOf(doc).map((op) =>
      fc.oneof(
        { arbitrary: requestFor(op, world), weight: 3 },
        { arbitrary: pristineFor(op, world), weight: 1 },
      ),
    ),
    unrouted(world),
  );
}

function taskIdOf(body: string | undefined): string | null {
  try {
    const id = (JSON.parse(body ?? '') as { data?: { taskId?: unknown } }).data?.taskId;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
