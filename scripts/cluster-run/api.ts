/**
 * What the runs against the local cluster (cluster-faults.ts, chaos.ts) share: one API call with a
 * bearer key that never throws on an HTTP status (the caller decides), and a sleep.
 */
export interface ApiAnswer {
  status: number;
  /** The parsed JSON body, or its text when it is not JSON. */
  json: unknown;
}

export async function api(
  base: string,
  method: string,
  route: string,
  key: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiAnswer> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the message
  }
  return { status: res.status, json };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
