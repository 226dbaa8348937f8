/**
 * From a KIE answer (envelope + HTTP status) to each client method's result, or a `KieError`.
 * Pure functions, separate from the transport, so every documented payload can be run through the
 * exact decoding path the client uses (test/kie/schemas-fixtures.test.ts).
 */
import { classifyKieCode, KieError } from './errors.js';
import {
  creditsDataSchema,
  downloadUrlDataSchema,
  interpret1080p,
  interpret4k,
  marketRecordDataSchema,
  parseVeoRecord,
  taskIdDataSchema,
  type KieEnvelope,
  type MarketTaskRecord,
  type Veo1080pResult,
  type Veo4kResult,
  type VeoTaskRecord,
} from './schemas.js';

export interface KieAnswer {
  env: KieEnvelope;
  /** null when decoding a stored payload (fixtures, callbacks) rather than a live reply. */
  httpStatus: number | null;
}

/** Endpoint names, as they appear in errors and in `onCall` metrics. */
export const KIE_ENDPOINTS = {
  generate: 'generate',
  recordInfo: 'record-info',
  get1080p: 'get-1080p-video',
  request4k: 'get-4k-video',
  extend: 'extend',
  credits: 'credit',
  downloadUrl: 'download-url',
  marketCreateTask: 'jobs/createTask',
  marketRecordInfo: 'jobs/recordInfo',
} as const;

type SafeParse<T> =
  | { success: true; data: T }
  | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } };

/** KIE answered with a code other than success. */
export function rejectedError(endpoint: string, { env, httpStatus }: KieAnswer): KieError {
  return new KieError({
    code: env.code,
    msg: env.msg || `code ${env.code}`,
    endpoint,
    kind: classifyKieCode(env.code, endpoint),
    httpStatus,
    requestSent: true,
    // A gateway's 5xx page, not KIE's answer: whether KIE got (and acted on) the request is unknown.
    ...(env.foreign && httpStatus !== null && httpStatus >= 500 ? { notFromKie: true } : {}),
  });
}

/**
 * KIE said success but the data fits no documented shape. Retryable (most likely transient); on a
 * create call also ambiguous (`malformedReply`): the task may exist.
 */
function malformedError(endpoint: string, { env, httpStatus }: KieAnswer, detail: string): KieError {
  return new KieError({
    code: env.code,
    msg: `unexpected reply data: ${detail}`,
    endpoint,
    kind: 'retryable',
    httpStatus,
    requestSent: true,
    malformedReply: true,
  });
}

/** Success ⇔ code 200; then the data must parse. */
function successData<T>(endpoint: string, answer: KieAnswer, parse: (data: unknown) => SafeParse<T>): T {
  if (answer.env.code !== 200) throw rejectedError(endpoint, answer);
  const parsed = parse(answer.env.data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.map(String).join('.') || 'data';
  throw malformedError(endpoint, answer, issue ? `${where}: ${issue.message}` : 'invalid');
}

export const decodeReply = {
  generate: (a: KieAnswer): { taskId: string } =>
    successData(KIE_ENDPOINTS.generate, a, (d) => taskIdDataSchema.safeParse(d)),

  recordInfo: (a: KieAnswer, requestedTaskId?: string): VeoTaskRecord =>
    successData(KIE_ENDPOINTS.recordInfo, a, (d) => parseVeoRecord(d, requestedTaskId)),

  get1080p(a: KieAnswer): Veo1080pResult {
    const result = interpret1080p(a.env);
    if (!result) throw rejectedError(KIE_ENDPOINTS.get1080p, a);
    return result;
  },

  request4k(a: KieAnswer): Veo4kResult {
    const result = interpret4k(a.env);
    if (!result) throw rejectedError(KIE_ENDPOINTS.request4k, a);
    return result;
  },

  extend: (a: KieAnswer): { taskId: string } =>
    successData(KIE_ENDPOINTS.extend, a, (d) => taskIdDataSchema.safeParse(d)),

  credits: (a: KieAnswer): number =>
    successData(KIE_ENDPOINTS.credits, a, (d) => creditsDataSchema.safeParse(d)),

  downloadUrl: (a: KieAnswer): string =>
    successData(KIE_ENDPOINTS.downloadUrl, a, (d) => downloadUrlDataSchema.safeParse(d)),

  marketCreateTask: (a: KieAnswer): { taskId: string } =>
    successData(KIE_ENDPOINTS.marketCreateTask, a, (d) => taskIdDataSchema.safeParse(d)),

  marketRecordInfo: (a: KieAnswer): MarketTaskRecord =>
    successData(KIE_ENDPOINTS.marketRecordInfo, a, (d) => marketRecordDataSchema.safeParse(d)),
};
