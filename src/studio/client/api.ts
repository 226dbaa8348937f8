/**
 * Calls to the API from the page: same origin, authenticated by the session cookie (never a key in
 * script), errors as the server's problem+json.
 */
import type { Problem } from './types.js';

export class ApiError extends Error {
  constructor(
    readonly problem: Problem,
    /** From Retry-After or the RateLimit header's `t=` (seconds), when the server said. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(problem.detail ?? problem.title);
  }
  get status(): number {
    return this.problem.status;
  }
}

export async function api<T>(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError({
      type: 'about:blank',
      status: 0,
      title: 'Network error',
      detail: 'The server did not answer; check your connection and retry.',
    });
  }
  const type = res.headers.get('content-type') ?? '';
  const parsed: unknown = /json/.test(type) ? await res.json() : await res.text();
  if (res.ok) return parsed as T;
  const problem: Problem =
    typeof parsed === 'object' && parsed !== null && 'title' in parsed
      ? (parsed as Problem)
      : { type: 'about:blank', status: res.status, title: res.statusText || `HTTP ${res.status}` };
  throw new ApiError({ ...problem, status: res.status }, res.status === 429 ? retryAfter(res.headers) : null);
}

function retryAfter(headers: Headers): number | null {
  const value = headers.get('retry-after') ?? /\bt=(\d+)/.exec(headers.get('ratelimit') ?? '')?.[1];
  return value && /^\d+$/.test(value) ? Number(value) : null;
}

/** A fresh Idempotency-Key (getRandomValues works on plain-http origins, randomUUID does not). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `studio-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
