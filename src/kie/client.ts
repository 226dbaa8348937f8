/**
 * The KIE API client: every Veo endpoint (generate, record-info, 1080p, 4K, extend), credits,
 * download-url, and the Market jobs API (docs/kie-api.md).
 *
 * - Success is decided by the body's `code` (KIE answers most errors as HTTP 200 with the error in
 *   `code`); non-2xx bodies are parsed too, and a body that is not a KIE envelope becomes
 *   `{ code: httpStatus, msg: statusText }`.
 * - Every failure is a `KieError` (see errors.ts for the classification).
 * - The API key lives only in this closure and the Authorization header: it is on no returned object,
 *   and is scrubbed from any text that could end up in an error.
 */
import { KieError } from './errors.js';
import { sendHttpRequest, TransportFailure } from './http-transport.js';
import { decodeReply, KIE_ENDPOINTS as EP, type KieAnswer } from './reply-decoders.js';
import {
  envelopeFromHttp,
  type MarketTaskRecord,
  type Veo1080pResult,
  type Veo4kResult,
  type VeoTaskRecord,
} from './schemas.js';

export interface VeoGenerateRequest {
  prompt: string;
  model: 'veo3' | 'veo3_fast' | 'veo3_lite';
  generationType?: 'TEXT_2_VIDEO' | 'FIRST_AND_LAST_FRAMES_2_VIDEO' | 'REFERENCE_2_VIDEO';
  imageUrls?: string[];
  aspectRatio?: '16:9' | '9:16' | 'Auto';
  /** 10000–99999. */
  seeds?: number;
  callBackUrl?: string;
  enableTranslation?: boolean;
  watermark?: string;
}

export interface VeoExtendRequest {
  /** The original generation task. */
  taskId: string;
  prompt: string;
  seeds?: number;
  watermark?: string;
  callBackUrl?: string;
  /** Note: `fast`/`quality`, not `veo3_fast`; `lite` is sent by some clients (undocumented). */
  model?: 'fast' | 'quality' | 'lite';
}

export interface Veo4kRequest {
  taskId: string;
  index?: number;
  callBackUrl?: string;
}

export interface MarketCreateTaskRequest {
  model: string;
  /** Model-specific, snake_case keys. */
  input: Record<string, unknown>;
  callBackUrl?: string;
}

export interface KieCallEvent {
  endpoint: string;
  /** KIE's body code, the HTTP status for non-KIE bodies, 0 when no answer came. */
  code: number;
  durationMs: number;
}

export interface KieClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Whole exchange, connect to last byte. Default 30 s. */
  timeoutMs?: number;
  /** Also send the older camelCase `aspectRatio` next to `aspect_ratio` (docs/kie-api.md#discrepancies-and-choices). */
  sendCamelCaseAspect?: boolean;
  /** Called once per HTTP exchange (metrics); exceptions it throws are ignored. */
  onCall?: (e: KieCallEvent) => void;
}

export interface KieClient {
  generate(req: VeoGenerateRequest): Promise<{ taskId: string }>;
  recordInfo(taskId: string): Promise<VeoTaskRecord>;
  get1080p(taskId: string, index?: number): Promise<Veo1080pResult>;
  request4k(req: Veo4kRequest): Promise<Veo4kResult>;
  extend(req: VeoExtendRequest): Promise<{ taskId: string }>;
  credits(): Promise<number>;
  /** A fresh (≈20-minute) URL for a KIE-generated file whose URL expired. */
  downloadUrl(url: string): Promise<string>;
  marketCreateTask(req: MarketCreateTaskRequest): Promise<{ taskId: string }>;
  marketRecordInfo(taskId: string): Promise<MarketTaskRecord>;
}

interface CallSpec {
  endpoint: string;
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
  /** Creates paid work at KIE: fresh connection, no transparent retry. */
  createsWork?: boolean;
}

export function createKieClient(opts: KieClientOptions): KieClient {
  const base = new URL(opts.baseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new Error('KIE baseUrl must be an http(s) URL');
  const timeoutMs = opts.timeoutMs ?? 30_000;
  // Checked here so that Node never gets to build an error message around the key's value.
  if (/[^\x21-\x7e]/.test(opts.apiKey))
    throw new Error('KIE apiKey contains characters not allowed in an HTTP header');
  const authorization = `Bearer ${opts.apiKey}`;
  // Defence in depth: should any text we did not write (KIE's msg, a Node error) echo the key, blank it.
  const scrub = (text: string) =>
    opts.apiKey.length >= 4 ? text.split(opts.apiKey).join('[redacted]') : text;

  function report(endpoint: string, code: number, started: number) {
    try {
      opts.onCall?.({ endpoint, code, durationMs: Date.now() - started });
    } catch {
      // metrics must never break a call
    }
  }

  async function call(spec: CallSpec): Promise<KieAnswer> {
    // Appended, not resolved: a base URL with a path prefix (a proxy) keeps its prefix.
    const url = new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}${spec.path}`);
    for (const [k, v] of Object.entries(spec.query ?? {})) url.searchParams.set(k, String(v));
    const started = Date.now();
    try {
      const reply = await sendHttpRequest({
        url,
        method: spec.method,
        headers: {
          authorization,
          accept: 'application/json',
          'user-agent': 'veo-pipeline-kie-client',
          ...(spec.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
        timeoutMs,
        idempotent: !spec.createsWork,
      });
      const env = envelopeFromHttp(reply.status, reply.statusText, reply.text);
      report(spec.endpoint, env.code, started);
      return { env: { ...env, msg: scrub(env.msg) }, httpStatus: reply.status };
    } catch (err) {
      report(spec.endpoint, 0, started);
      if (!(err instanceof TransportFailure)) {
        // Thrown while building the request (bad header value, bad URL): nothing left this process.
        throw new KieError({
          code: 0,
          msg: `request not sent: ${scrub(err instanceof Error ? err.message : String(err))}`,
          endpoint: spec.endpoint,
          kind: 'permanent',
          httpStatus: null,
          requestSent: false,
        });
      }
      throw new KieError({
        code: err.httpStatus ?? 0,
        msg: scrub(err.reason),
        endpoint: spec.endpoint,
        kind: 'retryable',
        httpStatus: err.httpStatus,
        requestSent: err.requestSent,
        // An oversized 2xx reply may be a success we cannot read: as ambiguous as a lost answer.
        malformedReply: err.httpStatus !== null && err.httpStatus >= 200 && err.httpStatus < 300,
      });
    }
  }

  return {
    async generate(req) {
      const body: Record<string, unknown> = {
        prompt: req.prompt,
        // Always sent: the server default has changed across docs and one client reports 422 "Invalid model" without it.
        model: req.model,
        ...(req.generationType ? { generationType: req.generationType } : {}),
        ...(req.imageUrls?.length ? { imageUrls: req.imageUrls } : {}),
        // Current spec spells it aspect_ratio; older spec and seeds aspectRatio (discrepancy #7 in docs/kie-api.md#discrepancies-and-choices).
        ...(req.aspectRatio ? { aspect_ratio: req.aspectRatio } : {}),
        ...(req.aspectRatio && opts.sendCamelCaseAspect ? { aspectRatio: req.aspectRatio } : {}),
        ...(req.seeds !== undefined ? { seeds: req.seeds } : {}),
        ...(req.callBackUrl ? { callBackUrl: req.callBackUrl } : {}),
        ...(req.enableTranslation !== undefined ? { enableTranslation: req.enableTranslation } : {}),
        ...(req.watermark ? { watermark: req.watermark } : {}),
        // Never sent: enhancePrompt (not a KIE field, discrepancy #8 in docs/kie-api.md#discrepancies-and-choices), enableFallback (deprecated, blocks 1080p).
      };
      return decodeReply.generate(
        await call({
          endpoint: EP.generate,
          method: 'POST',
          path: '/api/v1/veo/generate',
          body,
          createsWork: true,
        }),
      );
    },

    async recordInfo(taskId) {
      const answer = await call({
        endpoint: EP.recordInfo,
        method: 'GET',
        path: '/api/v1/veo/record-info',
        query: { taskId },
      });
      return decodeReply.recordInfo(answer, taskId);
    },

    async get1080p(taskId, index = 0) {
      const answer = await call({
        endpoint: EP.get1080p,
        method: 'GET',
        path: '/api/v1/veo/get-1080p-video',
        query: { taskId, index },
      });
      return decodeReply.get1080p(answer);
    },

    async request4k(req) {
      const answer = await call({
        endpoint: EP.request4k,
        method: 'POST',
        path: '/api/v1/veo/get-4k-video',
        body: {
          taskId: req.taskId,
          index: req.index ?? 0,
          ...(req.callBackUrl ? { callBackUrl: req.callBackUrl } : {}),
        },
        createsWork: true,
      });
      return decodeReply.request4k(answer);
    },

    async extend(req) {
      const body = {
        taskId: req.taskId,
        prompt: req.prompt,
        // Sent explicitly (docs default `fast`), for the same reason generate always sends its model.
        model: req.model ?? 'fast',
        ...(req.seeds !== undefined ? { seeds: req.seeds } : {}),
        ...(req.watermark ? { watermark: req.watermark } : {}),
        ...(req.callBackUrl ? { callBackUrl: req.callBackUrl } : {}),
      };
      return decodeReply.extend(
        await call({
          endpoint: EP.extend,
          method: 'POST',
          path: '/api/v1/veo/extend',
          body,
          createsWork: true,
        }),
      );
    },

    async credits() {
      return decodeReply.credits(
        await call({ endpoint: EP.credits, method: 'GET', path: '/api/v1/chat/credit' }),
      );
    },

    async downloadUrl(url) {
      // Idempotent in effect: it only mints another temporary URL, nothing is charged.
      return decodeReply.downloadUrl(
        await call({
          endpoint: EP.downloadUrl,
          method: 'POST',
          path: '/api/v1/common/download-url',
          body: { url },
        }),
      );
    },

    async marketCreateTask(req) {
      const body = {
        model: req.model,
        input: req.input,
        ...(req.callBackUrl ? { callBackUrl: req.callBackUrl } : {}),
      };
      return decodeReply.marketCreateTask(
        await call({
          endpoint: EP.marketCreateTask,
          method: 'POST',
          path: '/api/v1/jobs/createTask',
          body,
          createsWork: true,
        }),
      );
    },

    async marketRecordInfo(taskId) {
      return decodeReply.marketRecordInfo(
        await call({
          endpoint: EP.marketRecordInfo,
          method: 'GET',
          path: '/api/v1/jobs/recordInfo',
          query: { taskId },
        }),
      );
    },
  };
}
