/**
 * A customer's system for the tests: an HTTP server on loopback that checks every POST the way a
 * Standard Webhooks receiver does — with its own verification, written from the specification, not
 * src/security's signing code — records each delivery, and answers what the test scripted per path
 * (default 200). Closed when the test ends.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

/** How far a timestamp may be from now, as the specification's libraries allow. */
const TOLERANCE_S = 5 * 60;

export interface WebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

/**
 * Whether `body` with these headers was signed with `secret` (`whsec_<base64>`): the HMAC-SHA256 of
 * `id.timestamp.body`, keyed with the secret's bytes, among the space-separated `v1,<base64>` entries,
 * and the timestamp within five minutes of `nowS`.
 */
export function verifyStandardWebhook(
  secret: string,
  h: WebhookHeaders,
  body: string,
  nowS = Math.floor(Date.now() / 1000),
): boolean {
  if (!h.id || !h.timestamp || !h.signature || !/^\d+$/.test(h.timestamp)) return false;
  if (Math.abs(nowS - Number(h.timestamp)) > TOLERANCE_S) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${h.id}.${h.timestamp}.${body}`).digest();
  return h.signature.split(' ').some((entry) => {
    const [version, sig] = entry.split(',');
    if (version !== 'v1' || !sig) return false;
    const given = Buffer.from(sig, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export interface Delivery {
  path: string;
  headers: WebhookHeaders;
  /** The raw body, as signed. */
  raw: string;
  body: unknown;
  /** Signed with one of the secrets the receiver trusts, and fresh. */
  verified: boolean;
  /** What the receiver answered. */
  status: number;
}

export interface WebhookReceiver {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  deliveries: Delivery[];
  /** Accept signatures made with this secret (a user's, as the admin API showed it). */
  trust(secret: string): void;
  /** Answer the next POSTs to `path` with these statuses in turn; after them, `then` (default 200). */
  script(path: string, statuses: number[], then?: number): void;
  /** Deliveries of one job's events (by the event's data.id). */
  forJob(jobId: string): Delivery[];
}

export async function startWebhookReceiver(t: TestContext): Promise<WebhookReceiver> {
  const secrets: string[] = [];
  const scripts = new Map<string, { statuses: number[]; then: number }>();
  const deliveries: Delivery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const one = (name: string) => {
        const v = req.headers[name];
        return Array.isArray(v) ? v.join(' ') : v;
      };
      const headers = {
        id: one('webhook-id'),
        timestamp: one('webhook-timestamp'),
        signature: one('webhook-signature'),
      };
      const script = scripts.get(path);
      const status = script?.statuses.shift() ?? script?.then ?? 200;
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // kept as text: the test sees what arrived
      }
      deliveries.push({
        path,
        headers,
        raw,
        body,
        verified: secrets.some((s) => verifyStandardWebhook(s, headers, raw)),
        status,
      });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deliveries,
    trust: (secret) => void secrets.push(secret),
    script: (path, statuses, then = 200) => void scripts.set(path, { statuses: [...statuses], then }),
    forJob: (jobId) =>
      deliveries.filter((d) => (d.body as { data?: { id?: string } } | null)?.data?.id === jobId),
  };
}
