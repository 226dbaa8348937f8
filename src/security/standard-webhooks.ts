/**
 * Standard Webhooks signing (https://www.standardwebhooks.com), for the POSTs we send to customers'
 * systems when their jobs end: any of the format's libraries verifies them as they are.
 *
 *   signed content  `${webhook-id}.${webhook-timestamp}.${body}`
 *   signature       HMAC-SHA256 keyed with the secret's bytes (base64 after `whsec_`), base64
 *   header          `webhook-signature: v1,<signature>`; `webhook-timestamp` in whole seconds
 *
 * The id stays the same across retries (receivers deduplicate by it); timestamp and signature are
 * those of each attempt (receivers refuse stale ones, which defeats replays).
 */
import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';
/** 32 random bytes: inside the format's 24–64 byte range. */
const SECRET_BYTES = 32;

/** A new signing secret, `whsec_<base64>`: shown to the operator once, stored sealed. */
export function newWebhookSecret(): string {
  return `${PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

export interface WebhookMessage {
  id: string;
  /** Unix seconds. */
  timestamp: number;
  /** The exact bytes sent: any re-serialisation would break the signature. */
  body: string;
}

export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function signWebhook(secret: string, msg: WebhookMessage): StandardWebhookHeaders {
  if (!secret.startsWith(PREFIX)) throw new Error('a webhook signing secret starts with whsec_');
  const key = Buffer.from(secret.slice(PREFIX.length), 'base64');
  if (key.length === 0) throw new Error('empty webhook signing secret');
  const timestamp = String(Math.trunc(msg.timestamp));
  const signature = createHmac('sha256', key).update(`${msg.id}.${timestamp}.${msg.body}`).digest('base64');
  return { 'webhook-id': msg.id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}
