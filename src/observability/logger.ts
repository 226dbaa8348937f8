/** Structured JSON logs (pino). Secrets are redacted at the source: keys, tokens, signatures. */
import { pino, type DestinationStream, type Logger } from 'pino';

/** Writes to stdout unless given a destination (tests collect the lines to check what is logged). */
export function createLogger(
  level: string,
  base: Record<string, unknown> = {},
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    base,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        'req.headers["x-webhook-signature"]',
        'req.headers["idempotency-key"]',
        'apiKey',
        'key',
        'token',
        'secret',
        '*.apiKey',
        '*.token',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Callback URLs carry a per-job token; never log it. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw, 'http://x');
    if (url.searchParams.has('token')) url.searchParams.set('token', '[redacted]');
    return raw.startsWith('http') ? url.toString() : `${url.pathname}${url.search}`;
  } catch {
    return '[unparseable url]';
  }
}

export type { Logger };
