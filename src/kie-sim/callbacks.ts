/**
 * Callback delivery as KIE does it (docs/kie-api.md#callbacks): POST JSON to the callBackUrl; when a webhook HMAC
 * key is set, X-Webhook-Timestamp (unix seconds) and X-Webhook-Signature = base64(HMAC-SHA256(key,
 * taskId + "." + timestamp)), fresh on every attempt. The receiver has 15 s to answer 2xx; a non-2xx
 * answer or a network error is retried up to 3 times, then KIE gives up.
 *
 * node:http rather than fetch: no connection pool outliving close(), and in-flight POSTs can be cut.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Scheduler } from './scheduler.js';
import type { SentCallback } from './types.js';

const ATTEMPT_TIMEOUT_MS = 15_000;
const MAX_RETRIES = 3;

export interface Delivery {
  /** Settles when the first attempt is answered or fails (the 'early' fault waits for this). */
  firstAttempt: Promise<void>;
  /** Settles when delivered or given up. */
  done: Promise<void>;
}

export interface CallbackSender {
  deliver(args: {
    url: string;
    body: unknown;
    /** The id the signature covers: data.taskId of the body. */
    taskId: string;
    kind: SentCallback['kind'];
    /** Receives every attempt as it is made (status filled in when answered). */
    record?: (c: SentCallback) => void;
  }): Delivery;
  sent(): number;
  close(): void;
}

export function signCallback(hmacKey: string, taskId: string, timestampSec: number): string {
  return createHmac('sha256', hmacKey).update(`${taskId}.${timestampSec}`).digest('base64');
}

export function createCallbackSender(opts: {
  hmacKey: string | null;
  retryDelayMs: number;
  scheduler: Scheduler;
  log: (line: string) => void;
}): CallbackSender {
  let sent = 0;
  const inFlight = new Set<http.ClientRequest>();

  /** One POST; resolves with the HTTP status, or null on error/timeout. */
  function post(url: URL, headers: Record<string, string>, json: string): Promise<number | null> {
    return new Promise((resolve) => {
      const lib = url.protocol === 'https:' ? https : http;
      const req = lib.request(
        url,
        { method: 'POST', headers, agent: false, timeout: ATTEMPT_TIMEOUT_MS },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? null));
          res.on('error', () => resolve(res.statusCode ?? null));
        },
      );
      inFlight.add(req);
      req.on('close', () => inFlight.delete(req));
      req.on('timeout', () => req.destroy(new Error(`no answer within ${ATTEMPT_TIMEOUT_MS} ms`)));
      req.on('error', (err) => {
        opts.log(`callback POST ${url.pathname} failed: ${err.message}`);
        resolve(null);
      });
      req.end(json);
    });
  }

  return {
    deliver({ url, body, taskId, kind, record }) {
      const json = JSON.stringify(body);
      let markFirst!: () => void;
      const firstAttempt = new Promise<void>((resolve) => (markFirst = resolve));
      const done = (async () => {
        let target: URL;
        try {
          target = new URL(url);
        } catch {
          markFirst();
          return;
        }
        for (let attempt = 1; attempt <= 1 + MAX_RETRIES && !opts.scheduler.closed; attempt++) {
          const headers: Record<string, string> = {
            'content-type': 'application/json',
            'user-agent': 'kie-sim',
          };
          if (opts.hmacKey) {
            const ts = Math.floor(Date.now() / 1000);
            headers['x-webhook-timestamp'] = String(ts);
            headers['x-webhook-signature'] = signCallback(opts.hmacKey, taskId, ts);
          }
          const entry: SentCallback = { url, headers, body: json, attempt, status: null, kind };
          record?.(entry);
          sent++;
          entry.status = await post(target, headers, json);
          if (attempt === 1) markFirst();
          if (entry.status !== null && entry.status >= 200 && entry.status < 300) return;
          if (attempt <= MAX_RETRIES) await opts.scheduler.sleep(opts.retryDelayMs);
        }
        opts.log(`callback for ${taskId} not accepted; giving up`);
      })().finally(markFirst);
      return { firstAttempt, done };
    },
    sent: () => sent,
    close() {
      for (const req of inFlight) req.destroy();
      inFlight.clear();
    },
  };
}
