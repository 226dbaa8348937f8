/**
 * Which faults apply when. Scenario faults are set with setFaults() or POST /_sim/faults; a generate
 * (or extend) request may carry `X-Sim-Faults: <json>` that overrides them for its task only.
 *
 * - Faults that describe the task (outcome, callback, callbackDelayMs, foreignCallback, videoBytes)
 *   are fixed when it is created: changing the scenario later does not rewrite a running task, and
 *   a file's bytes never change over its life.
 * - Faults that describe a later request (hd1080, download, slowBytesPerSec) are read when that
 *   request arrives: the scenario of the moment, overridden by the task's header.
 * - maintenance and generateResponses are global (a header may also set them for its own request).
 */
import type { SimFaults } from './types.js';

const CALLBACK_MODES = ['normal', 'drop', 'duplicate', 'delay', 'early', 'reorder'];
const HD_MODES = ['normal', 'never', 'pending-as-500', 'refused'];
const DOWNLOAD_MODES = ['normal', 'truncate-once', 'slow', 'not-mp4'];
const FAILURE_FLAGS = [2, 3];
const FAILURE_CODES = [400, 422, 500, 501];

/** A copy the caller cannot mutate (the generateResponses queue is consumed). */
export function copyFaults(f: SimFaults | undefined): SimFaults {
  if (!f) return {};
  return {
    ...f,
    ...(f.generateResponses ? { generateResponses: f.generateResponses.map((r) => ({ ...r })) } : {}),
    ...(typeof f.outcome === 'object' ? { outcome: { ...f.outcome } } : {}),
  };
}

/** The faults fixed on a task at creation. */
export function fixedTaskFaults(scenario: SimFaults, header: SimFaults): SimFaults {
  const { generateResponses: _g, maintenance: _m, ...rest } = scenario;
  return copyFaults({ ...rest, ...header });
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
    oneOf('generateReply', ['normal', 'malformed']),
    oneOf('foreignCallback', [true, false]),
    oneOf('maintenance', [true, false]),
    num('callbackDelayMs'),
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
  const queue = f.generateResponses;
  if (
    queue !== undefined &&
    (!Array.isArray(queue) ||
      queue.some(
        (r: unknown) =>
          !r ||
          typeof r !== 'object' ||
          !Number.isInteger((r as { code?: unknown }).code) ||
          ((r as { msg?: unknown }).msg !== undefined && typeof (r as { msg?: unknown }).msg !== 'string'),
      ))
  ) {
    problems.push('generateResponses must be an array of {code: integer, msg?: string}');
  }
  const problem = problems.find((p) => p !== null);
  return problem ?? copyFaults(f);
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
