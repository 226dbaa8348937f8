/**
 * The HTTP tests' one request builder for the running API (real fetch, real server), problem+json
 * assertions, and the "nothing was held" check that every rejected request must pass.
 */
import assert from 'node:assert/strict';
import { isFinalState, type JobState } from '../../src/domain/index.js';
import type { RouteSpec } from '../../src/api/route.js';
import { assertDeclaredResponse } from './response-schemas.js';
import type { TestStack } from './stack.js';
import { waitFor } from './wait-for.js';

export interface Reply {
  status: number;
  contentType: string;
  headers: Headers;
  /** The parsed JSON body, or the text when it is not JSON. */
  body: unknown;
  ms: number;
}

export interface RequestOptions {
  /** JSON-encoded unless a string (sent as is). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Bearer key; null sends no Authorization header. */
  key?: string | null;
  /** The app's routes: the JSON reply is checked against the schema its route declares. */
  routes?: readonly RouteSpec[];
}

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const t0 = performance.now();
  const res = await fetch(new URL(path, baseUrl), { method, headers, body });
  const text = await res.text();
  const ms = performance.now() - t0;
  const contentType = res.headers.get('content-type') ?? '';
  let parsed: unknown = text;
  if (/json/.test(contentType)) parsed = JSON.parse(text);
  const reply = { status: res.status, contentType, headers: res.headers, body: parsed, ms };
  if (opts.routes) assertDeclaredResponse(opts.routes, { method, path, ...reply });
  return reply;
}

/** A client bound to an API (a stack's, or an in-process app's) and one key; replies checked against their schemas. */
export function client(api: { apiUrl: string | null; apiRoutes: readonly RouteSpec[] }, key: string | null) {
  const baseUrl = api.apiUrl!;
  return (method: string, path: string, opts: Omit<RequestOptions, 'key'> & { key?: string | null } = {}) =>
    call(baseUrl, method, path, { key, routes: api.apiRoutes, ...opts });
}
export type Client = ReturnType<typeof client>;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
}

/** Asserts a problem+json reply with this status; with `field`, that its errors name that field. */
export function assertProblem(reply: Reply, status: number, field?: string): Problem {
  const what = JSON.stringify(reply.body);
  assert.equal(reply.status, status, what);
  assert.match(reply.contentType, /^application\/problem\+json/, what);
  const problem = reply.body as Problem;
  assert.equal(problem.status, status, what);
  assert.equal(typeof problem.title, 'string', what);
  if (field !== undefined) {
    const fields = (problem.errors ?? []).map((e) => e.field);
    assert.ok(fields.includes(field), `expected an error for field "${field}", got ${what}`);
  }
  return problem;
}

export interface Credits {
  balance: number;
  held: number;
  available: number;
  entries: unknown[];
}

export interface JobView {
  id: string;
  state: string;
  kieTaskId: string | null;
  detection: { channel: 'callback' | 'poll' } | null;
  files: Array<{ variant: string; url: string }>;
}

export interface JobPage {
  data: JobView[];
  nextCursor: string | null;
}

export async function credits(api: Client): Promise<Credits> {
  const r = await api('GET', '/v1/credits');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as Credits;
}

export async function listJobs(api: Client, query = ''): Promise<JobPage> {
  const r = await api('GET', `/v1/videos${query}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as JobPage;
}

/** After a refused request: same balance, nothing held, no new ledger entry, no job, invariants hold. */
export async function assertNothingChanged(stack: TestStack, api: Client, before: Credits): Promise<void> {
  const after = await credits(api);
  assert.equal(after.balance, before.balance, 'balance');
  assert.equal(after.held, 0, 'held');
  assert.equal(after.entries.length, before.entries.length, 'ledger entries');
  assert.deepEqual((await listJobs(api)).data, [], 'no job listed');
  await stack.assertInvariants();
}

export const VALID_BODY = { prompt: 'A red fox running through fresh snow, golden hour' } as const;

export async function createJob(api: Client, body: Record<string, unknown> = {}): Promise<JobView> {
  const r = await api('POST', '/v1/videos', { body: { ...VALID_BODY, ...body } });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  return r.body as JobView;
}

/** Polls GET /v1/videos/:id until `done` holds (or fails after `timeoutMs`). */
export async function waitForJob(
  api: Client,
  jobId: string,
  done: (job: JobView) => boolean,
  timeoutMs = 20_000,
): Promise<JobView> {
  return waitFor(
    `job ${jobId} to reach the expected state`,
    async () => {
      const r = await api('GET', `/v1/videos/${jobId}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const job = r.body as JobView;
      return done(job) ? job : undefined;
    },
    timeoutMs,
    100,
  );
}

export const isFinal = (job: JobView) => isFinalState(job.state as JobState);

/** `get` / `post` with one bearer key, over `call` (real fetch, real server; checked against `routes` when given). */
export function http(baseUrl: string, key: string, routes?: readonly RouteSpec[]) {
  const send = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const r = await call(baseUrl, method, path, {
      key,
      ...(routes ? { routes } : {}),
      ...(body === undefined ? {} : { body }),
      ...(headers ? { headers } : {}),
    });
    return { status: r.status, type: r.contentType, body: r.body };
  };
  return {
    get: (path: string) => send('GET', path),
    post: (path: string, body?: unknown, headers?: Record<string, string>) =>
      send('POST', path, body, headers),
  };
}
