/** Reads a server-sent-events stream (GET /v1/videos/:id/events) into a list of events. */
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
