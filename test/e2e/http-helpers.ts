/** Small HTTP clients for end-to-end tests: JSON calls, a server-sent-events reader, a metrics reader. */
import { call } from '../api/helpers.js';

/** `get` / `post` with one bearer key, over the API tests' `call` (real fetch, real server). */
export function http(baseUrl: string, key: string) {
  const send = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const r = await call(baseUrl, method, path, {
      key,
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

export interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads a text/event-stream until the server ends it (or `timeoutMs` passes) and returns its events. */
export async function readEvents(url: string, key: string, timeoutMs = 60_000): Promise<SseEvent[]> {
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (res.status !== 200 || !res.body) throw new Error(`events: HTTP ${res.status}`);
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const field = (name: string) =>
        block
          .split('\n')
          .filter((l) => l.startsWith(`${name}:`))
          .map((l) => l.slice(name.length + 1).trim())
          .join('\n');
      if (block.trim())
        events.push({ event: field('event') || 'message', data: JSON.parse(field('data')) as unknown });
    }
  }
  return events;
}

/** The value of one Prometheus sample (0 when absent), matching the given labels. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have: Record<string, string | undefined> = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x): [string, string | undefined] => [
        x[1] ?? '',
        x[2],
      ]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[3]);
  }
  return total;
}
