/**
 * What the secret checks search: every log line a stack writes, and a workflow history with its
 * payloads decoded.
 */
import { Writable } from 'node:stream';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Stack } from '../../src/runtime/stack.js';

/** Every log line, as written (JSON), from a logger at `level`. */
export function captureLogs(level = 'debug') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger(level, {}, sink) };
}

/** Every string in a JSON value, each also base64-decoded (payload data and metadata are base64). */
export function searchableText(json: string): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v, Buffer.from(v, 'base64').toString('utf8'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(JSON.parse(json));
  return out.join('\n');
}

/** A workflow's whole history, payloads decoded, as one searchable text. */
export async function searchableHistory(stack: Pick<Stack, 'temporal'>, workflowId: string): Promise<string> {
  const history = await stack.temporal.client.workflow.getHandle(workflowId).fetchHistory();
  return searchableText(historyToJSON(history));
}
