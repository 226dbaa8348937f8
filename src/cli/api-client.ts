/** A small typed client of our own HTTP API, for the `veo` CLI. */
import type { JobView } from '../domain/index.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { title?: string; detail?: string; errors?: Array<{ field: string; message: string }> },
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

export function createApiClient(baseUrl: string, apiKey: string) {
  const url = (p: string) => new URL(p, baseUrl).toString();
  const headers = { authorization: `Bearer ${apiKey}` };

  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ): Promise<T> {
    const res = await fetch(url(path), {
      method,
      headers: { ...headers, ...extra, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const json: unknown = text ? JSON.parse(text) : null;
    if (!res.ok) throw new ApiError(res.status, json ?? {});
    return json as T;
  }

  return {
    create: (body: Record<string, unknown>, idempotencyKey?: string) =>
      call<JobView>('POST', '/v1/videos', body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    createImage: (body: Record<string, unknown>, idempotencyKey?: string) =>
      call<JobView>('POST', '/v1/images', body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    get: (id: string) => call<JobView>('GET', `/v1/videos/${encodeURIComponent(id)}`),
    list: (state?: string, cursor?: string) => {
      const q = new URLSearchParams();
      if (state) q.set('state', state);
      if (cursor) q.set('cursor', cursor);
      return call<{ data: JobView[]; nextCursor: string | null }>('GET', `/v1/videos?${q.toString()}`);
    },
    cancel: (id: string) => call<JobView>('POST', `/v1/videos/${encodeURIComponent(id)}/cancel`),
    credits: () =>
      call<{
        balance: number;
        held: number;
        available: number;
        entries: Array<{ kind: string; amount: number; jobId: string | null; at: string }>;
      }>('GET', '/v1/credits'),

    /**
     * Server-sent progress events until the job ends (the `end` event). A stream the server ends
     * sooner (its lifetime is bounded) is resumed with Last-Event-ID, as EventSource does.
     */
    async *events(id: string): AsyncGenerator<JobView> {
      let lastEventId: string | undefined;
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 1000));
        const res = await fetch(url(`/v1/videos/${encodeURIComponent(id)}/events`), {
          headers: { ...headers, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
        });
        if (!res.ok || !res.body)
          throw new ApiError(res.status, (await res.json().catch(() => ({}))) as ApiError['problem']);
        const decoder = new TextDecoder();
        let buffer = '';
        for await (const chunk of res.body) {
          buffer += decoder.decode(chunk as Uint8Array, { stream: true });
          let sep: number;
          while ((sep = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, sep);
            buffer = buffer.slice(sep + 2);
            const event = /^event: (.*)$/m.exec(frame)?.[1];
            const data = /^data: (.*)$/m.exec(frame)?.[1];
            lastEventId = /^id: (.*)$/m.exec(frame)?.[1] ?? lastEventId;
            if (event === 'end') return;
            if (event === 'progress' && data) yield JSON.parse(data) as JobView;
          }
        }
      }
    },

    /** Streams an archived file to `write`. */
    async download(id: string, variant: string): Promise<ReadableStream<Uint8Array>> {
      const res = await fetch(url(`/v1/videos/${encodeURIComponent(id)}/content?variant=${variant}`), {
        headers,
      });
      if (!res.ok || !res.body)
        throw new ApiError(res.status, (await res.json().catch(() => ({}))) as ApiError['problem']);
      return res.body;
    },
  };
}
