/**
 * Authenticating KIE's callbacks (docs/kie-api.md#callbacks, docs/kie-api.md#callback-verification). Two independent checks:
 *
 *  - Our per-job token. The callback URL we give KIE carries `token = HMAC-SHA256(secret, jobId)`
 *    (base64url), so a leaked URL authorises callbacks for that one job only, and we store nothing.
 *  - KIE's own signature, when a webhook HMAC key is enabled at kie.ai:
 *    `X-Webhook-Signature = base64(HMAC-SHA256(key, taskId + "." + X-Webhook-Timestamp))`, timestamp
 *    in Unix seconds. It covers the task id and the time only — not the body — which is why the
 *    workflow confirms any result with record-info before trusting a URL. KIE documents no replay
 *    window; we accept ±300 s by default.
 *
 * All comparisons are constant-time over equal-length buffers (`crypto.timingSafeEqual`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export function jobCallbackToken(secret: string, jobId: string): string {
  return createHmac('sha256', secret).update(jobId, 'utf8').digest('base64url');
}

export function verifyJobCallbackToken(secret: string, jobId: string, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  return constantTimeEqual(Buffer.from(jobCallbackToken(secret, jobId)), Buffer.from(token));
}

/** What KIE puts in `X-Webhook-Signature` for a task id and timestamp (also used by the simulator and tests). */
export function signKieCallback(hmacKey: string, taskId: string, timestampSec: number | string): string {
  return createHmac('sha256', hmacKey).update(`${taskId}.${timestampSec}`, 'utf8').digest('base64');
}

/** Node's `req.headers`, a fetch `Headers`, or any plain header record. */
export type HeaderSource = Headers | IncomingHttpHeaders | Record<string, string | string[] | undefined>;

/** Case-insensitive header lookup; a repeated header yields its first value. */
export function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const v: unknown = Array.isArray(value) ? value[0] : value;
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

/**
 * The task id KIE signed. The prose says "the task id from the body"; KIE's sample code reads
 * `data.task_id`; the Veo callbacks carry `data.taskId`. Robust: `data.taskId ?? data.task_id ?? taskId`.
 */
export function signedTaskId(body: unknown): string | null {
  const b = isObject(body) ? body : {};
  const d = isObject(b.data) ? b.data : {};
  for (const v of [d.taskId, d.task_id, b.taskId]) if (typeof v === 'string' && v) return v;
  return null;
}

export type KieSignatureCheck = { ok: true; taskId: string } | { ok: false; reason: string };

export function verifyKieSignature(args: {
  hmacKey: string;
  headers: HeaderSource;
  /** The parsed JSON body. */
  body: unknown;
  nowSec: number;
  /** Accepted |now − timestamp|, seconds: bounds replays and clock skew. */
  windowSec?: number;
}): KieSignatureCheck {
  const signature = headerValue(args.headers, 'x-webhook-signature')?.trim();
  const timestamp = headerValue(args.headers, 'x-webhook-timestamp')?.trim();
  if (!signature || !timestamp)
    return { ok: false, reason: 'missing X-Webhook-Signature or X-Webhook-Timestamp' };
  // Integer seconds; the exact string is what was signed, so it is used verbatim below.
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed timestamp' };
  if (Math.abs(args.nowSec - Number(timestamp)) > (args.windowSec ?? 300)) {
    return { ok: false, reason: 'timestamp outside the accepted window' };
  }
  const taskId = signedTaskId(args.body);
  if (!taskId) return { ok: false, reason: 'no task id in the body' };
  const expected = Buffer.from(signKieCallback(args.hmacKey, taskId, timestamp), 'base64');
  // Compare decoded bytes, so base64 padding or base64url spelling differences do not matter.
  const given = Buffer.from(signature, 'base64');
  if (!constantTimeEqual(expected, given)) return { ok: false, reason: 'signature mismatch' };
  return { ok: true, taskId };
}

function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  // The expected length is public (fixed by the algorithm): rejecting other lengths leaks nothing.
  return a.length === b.length && timingSafeEqual(a, b);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
