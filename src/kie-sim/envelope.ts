/**
 * KIE's reply envelope `{code, msg, data}` (docs/kie-api.md#envelope). The body's `code` is authoritative; by
 * default the HTTP status is 200 whatever the code, as KIE's OpenAPI files describe, and with
 * mirrorHttpStatus a non-200 code is also the HTTP status (some clients report seeing that).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  code: number;
  msg: string;
  data?: unknown;
  /** Not KIE's answer but a gateway's in front of it: this HTTP status and an HTML page, no envelope. */
  gateway?: true;
}

/** Texts for codes answered without a more specific message (e.g. scripted replies, faults.responses). */
export const CODE_MESSAGES: Record<number, string> = {
  200: 'success',
  400: 'Your prompt was flagged by Website as violating content policies.',
  401: 'You do not have access permissions',
  402: 'The current credits are insufficient. Please top up.',
  404: 'Not Found',
  422: 'Validation error',
  429: 'The request frequency is too high. Please try again later.',
  433: 'The current number of points used by apiKey has exceeded the daily limit',
  451: 'Failed to fetch the image. Kindly verify any access limits set by you or your service provider.',
  455: 'The service is currently unavailable due to system maintenance. Please try again later.',
  500: 'Internal Error, Please try again later.',
  501: 'Generation failed.',
  505: 'The feature is currently disabled.',
};

/** get-1080p-video's "not ready yet" (docs/kie-api.md#1080p). */
export const HD_PROCESSING =
  '1080P is processing. It should be ready in 1-2 minutes. Please check back shortly.';

export const ok = (data: unknown): Reply => ({ code: 200, msg: 'success', data });
export const fail = (code: number, msg = CODE_MESSAGES[code] ?? 'Error', data: unknown = null): Reply => ({
  code,
  msg,
  data,
});

/** What a proxy in front of KIE answers when it gives up on KIE (a fault; see SimFaults.generateReply). */
export const gatewayError = (status: number): Reply => ({ code: status, msg: 'Bad Gateway', gateway: true });

export function sendReply(res: ServerResponse, reply: Reply, mirrorHttpStatus: boolean): void {
  if (reply.gateway) {
    const page = `<html><head><title>${reply.code} ${reply.msg}</title></head><body>${reply.msg}</body></html>`;
    res.writeHead(reply.code, reply.msg, {
      'content-type': 'text/html',
      'content-length': Buffer.byteLength(page),
    });
    res.end(page);
    return;
  }
  const status = mirrorHttpStatus && reply.code >= 100 && reply.code <= 999 ? reply.code : 200;
  const body = JSON.stringify({ code: reply.code, msg: reply.msg, data: reply.data ?? null });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

const MAX_BODY_BYTES = 1024 * 1024;

/** The JSON object body of a request: `{}` when empty, an Error when not a JSON object or too large. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown> | Error> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return new Error('Request body is too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    return new Error('The request body must be a JSON object');
  } catch {
    return new Error('The request body is not valid JSON');
  }
}

export function bearerKey(req: IncomingMessage): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m ? m[1]! : null;
}
