/** Reads server-sent-events streams (GET /v1/videos/:id/events): as they come, or whole. */
export interface SseEvent {
  event: string;
  data: unknown;
  /** The `id:` field, when the event has one. */
  id?: string;
}

export interface OpenStream {
  status: number;
  /** The problem+json body when the stream was refused (status ≠ 200). */
  problem?: unknown;
  /** The events as they arrive; done when the server ends the stream. */
  events: AsyncGenerator<SseEvent>;
  /** Ends the stream from the client's side. */
  close(): void;
}

/** Opens a text/event-stream; with `lastEventId`, as a client that resumes. */
export async function openEvents(
  url: string,
  key: string,
  opts: { lastEventId?: string; timeoutMs?: number } = {},
): Promise<OpenStream> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error('event stream timed out')),
    opts.timeoutMs ?? 60_000,
  );
  const res = await fetch(url, {
    headers: {
      authorization: `Bearer ${key}`,
      accept: 'text/event-stream',
      ...(opts.lastEventId ? { 'last-event-id': opts.lastEventId } : {}),
    },
    signal: controller.signal,
  });
  const close = () => {
    clearTimeout(timer);
    controller.abort();
  };
  if (res.status !== 200 || !res.body) {
    const problem: unknown = await res.json().catch(() => null);
    close();
    return { status: res.status, problem, events: (async function* () {})(), close };
  }
  const body = res.body;
  async function* events(): AsyncGenerator<SseEvent> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
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
          if (!field('data')) continue; // `retry:` and comments
          const id = field('id');
          yield {
            event: field('event') || 'message',
            data: JSON.parse(field('data')) as unknown,
            ...(id ? { id } : {}),
          };
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }
  return { status: 200, events: events(), close };
}

/** Reads a text/event-stream until the server ends it (or `timeoutMs` passes) and returns its events. */
export async function readEvents(url: string, key: string, timeoutMs = 60_000): Promise<SseEvent[]> {
  const stream = await openEvents(url, key, { timeoutMs });
  if (stream.status !== 200) throw new Error(`events: HTTP ${stream.status}`);
  const events: SseEvent[] = [];
  for await (const e of stream.events) events.push(e);
  return events;
}
