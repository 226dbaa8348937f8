/**
 * Which faults apply when. Scenario faults are set with setFaults() or POST /_sim/faults; any API
 * request may carry `X-Sim-Faults: <json>`, which overrides them for that request (and, on generate or
 * extend, for its task).
 *
 * - Faults that describe the task (outcome, fallback, callback, callbackDelayMs, foreignCallback,
 *   videoBytes) are fixed when it is created: changing the scenario later does not rewrite a running
 *   task, and a file's bytes never change over its life.
 * - Faults that describe a later request (hd1080, download, slowBytesPerSec) are read when that
 *   request arrives: the scenario of the moment, overridden by the task's header.
 * - maintenance, responses and generateResponses are global; in a header they answer only that request.
 * - mix (per-task random faults, fault-mix.ts) is drawn at creation, between the scenario and the
 *   header; a header's mix is ignored.
 */
import { fail, gatewayError, HD_PROCESSING, ok, type Reply } from './envelope.js';
import { ENDPOINTS, isSimEndpoint } from './endpoints.js';
import { drawMixedFaults, mixProblem } from './fault-mix.js';
import type { Random } from './prng.js';
import type { ScriptedReply, SimEndpoint, SimFaults } from './types.js';

const CALLBACK_MODES = ['normal', 'drop', 'duplicate', 'delay', 'early', 'reorder'];
const HD_MODES = ['normal', 'never', 'pending-as-500', 'refused'];
const DOWNLOAD_MODES = ['normal', 'truncate-once', 'slow', 'not-mp4'];
const FAILURE_FLAGS = [2, 3];
const FAILURE_CODES = [400, 422, 500, 501];

const copyQueue = (q: ScriptedReply[]) => q.map((r) => ({ ...r }));

/** A copy the caller cannot mutate (the scripted queues are consumed). */
export function copyFaults(f: SimFaults | undefined): SimFaults {
  if (!f) return {};
  const responses = f.responses;
  return {
    ...f,
    ...(responses
      ? {
          responses: Object.fromEntries(
            Object.entries(responses).map(([endpoint, q]) => [endpoint, copyQueue(q)]),
          ),
        }
      : {}),
    ...(f.generateResponses ? { generateResponses: copyQueue(f.generateResponses) } : {}),
    ...(typeof f.outcome === 'object' ? { outcome: { ...f.outcome } } : {}),
    ...(f.mix ? { mix: { ...f.mix } } : {}),
  };
}

/**
 * The faults fixed on a task at creation: the scenario's, then what its mix draws for this task (from
 * `rng`), then the task's own header.
 */
export function fixedTaskFaults(scenario: SimFaults, header: SimFaults, rng: Random): SimFaults {
  const { generateResponses: _g, responses: _r, maintenance: _m, mix, ...rest } = scenario;
  const { generateResponses: _hg, responses: _hr, mix: _hm, ...own } = header;
  return copyFaults({ ...rest, ...drawMixedFaults(mix, rng), ...own });
}

/** KIE's text for a code on one endpoint, where it differs from CODE_MESSAGES. */
const ENDPOINT_MESSAGES: Partial<Record<SimEndpoint, Record<number, string>>> = {
  'get-1080p-video': { 400: HD_PROCESSING },
};

/**
 * The scripted answer for this request, if any: the head of its header's queue for the endpoint
 * (not consumed), else the next of the scenario's (consumed), `generateResponses` after
 * `responses.generate`.
 */
export function scriptedReply(scenario: SimFaults, header: SimFaults, endpoint: SimEndpoint): Reply | null {
  const alias = (f: SimFaults) => (endpoint === 'generate' ? f.generateResponses : undefined);
  const next =
    header.responses?.[endpoint]?.[0] ??
    alias(header)?.[0] ??
    scenario.responses?.[endpoint]?.shift() ??
    alias(scenario)?.shift();
  if (!next) return null;
  return next.msg === undefined
    ? fail(next.code, ENDPOINT_MESSAGES[endpoint]?.[next.code])
    : fail(next.code, next.msg);
}

/**
 * How a create request (generate, extend, createTask) answers once its task exists and is charged:
 * normally `{taskId}`; under generateReply / generateReplyDelayMs, late or in a shape that leaves the
 * caller unsure whether anything was created.
 */
export async function createdReply(scenario: SimFaults, header: SimFaults, taskId: string): Promise<Reply> {
  const delayMs = header.generateReplyDelayMs ?? scenario.generateReplyDelayMs ?? 0;
  if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  const shape = header.generateReply ?? scenario.generateReply;
  if (shape === 'malformed') return ok({});
  if (shape === 'gateway-error') return gatewayError(502);
  return ok({ taskId });
}

/** The faults of a request that concerns an existing task (1080p, downloads). */
export function liveTaskFaults(scenario: SimFaults, header: SimFaults | undefined): SimFaults {
  return { ...scenario, ...header };
}

/** Checks a SimFaults value from the wire; returns an error message or the value. */
export function parseFaults(value: unknown): SimFaults | string {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'faults must be a JSON object';
  const f = value as Record<string, unknown>;
  const oneOf = (key: string, allowed: unknown[]) =>
    f[key] === undefined || allowed.includes(f[key]) ? null : `${key} must be one of ${allowed.join(', ')}`;
  const num = (key: string) =>
    f[key] === undefined || (typeof f[key] === 'number' && Number.isFinite(f[key]) && f[key] >= 0)
      ? null
      : `${key} must be a non-negative number`;
  const problems = [
    oneOf('callback', CALLBACK_MODES),
    oneOf('hd1080', HD_MODES),
    oneOf('download', DOWNLOAD_MODES),
    oneOf('generateReply', ['normal', 'malformed', 'gateway-error']),
    oneOf('foreignCallback', [true, false]),
    oneOf('fallback', [true, false]),
    oneOf('maintenance', [true, false]),
    num('callbackDelayMs'),
    num('generateReplyDelayMs'),
    num('slowBytesPerSec'),
    num('videoBytes'),
  ];
  const outcome = f.outcome;
  if (outcome !== undefined && outcome !== 'success') {
    const o = outcome as Record<string, unknown> | null;
    if (
      !o ||
      typeof o !== 'object' ||
      !FAILURE_FLAGS.includes(o.successFlag as number) ||
      !FAILURE_CODES.includes(o.errorCode as number) ||
      (o.errorMessage !== undefined && typeof o.errorMessage !== 'string')
    ) {
      problems.push(
        `outcome must be 'success' or {successFlag: 2|3, errorCode: 400|422|500|501, errorMessage?}`,
      );
    }
  }
  if (f.generateResponses !== undefined && !isQueue(f.generateResponses))
    problems.push(`generateResponses ${QUEUE_SHAPE}`);
  problems.push(responsesProblem(f.responses));
  problems.push(mixProblem(f.mix));
  const problem = problems.find((p) => p !== null);
  return problem ?? copyFaults(f);
}

const QUEUE_SHAPE = 'must be an array of {code: integer 100–999, msg?: string}';

const isQueue = (q: unknown): q is ScriptedReply[] =>
  Array.isArray(q) &&
  q.every((r: unknown) => {
    if (!r || typeof r !== 'object') return false;
    const { code, msg } = r as { code?: unknown; msg?: unknown };
    return (
      Number.isInteger(code) &&
      (code as number) >= 100 &&
      (code as number) <= 999 &&
      (msg === undefined || typeof msg === 'string')
    );
  });

function responsesProblem(responses: unknown): string | null {
  if (responses === undefined) return null;
  const endpoints = Object.keys(ENDPOINTS).join(', ');
  if (!responses || typeof responses !== 'object' || Array.isArray(responses))
    return `responses must be an object of endpoint → replies (endpoints: ${endpoints})`;
  for (const [endpoint, queue] of Object.entries(responses)) {
    if (!isSimEndpoint(endpoint)) return `responses: unknown endpoint '${endpoint}' (one of ${endpoints})`;
    if (!isQueue(queue)) return `responses['${endpoint}'] ${QUEUE_SHAPE}`;
  }
  return null;
}

/** The X-Sim-Faults header: absent → {}, malformed → an error message. */
export function parseFaultsHeader(header: string | string[] | undefined): SimFaults | string {
  if (header === undefined) return {};
  const text = Array.isArray(header) ? header.join(',') : header;
  try {
    const parsed = parseFaults(JSON.parse(text));
    return typeof parsed === 'string' ? `X-Sim-Faults: ${parsed}` : parsed;
  } catch {
    return 'X-Sim-Faults must be JSON';
  }
}
