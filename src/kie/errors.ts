/**
 * One error type for every KIE failure. It carries KIE's own `code` and message, the endpoint, and a
 * classification the activities turn into Temporal retry decisions (docs/kie-api.md#envelope, docs/kie-api.md#error-classification):
 *
 *  - retryable — KIE surely did not do the work, or the call is a read that is safe to repeat:
 *      429 rate limited, 455 maintenance, 500 and every other answered 5xx except 501/505
 *      (an answered 5xx means KIE refused; nothing was created), and 433 (undocumented
 *      per-key daily cap: nothing was created and the cap lifts later, so a long backoff helps);
 *      transport failures (code 0).
 *  - permanent — repeating the same request cannot help: 400 content policy / bad input,
 *      401 key, 402 credits, 404, 422 validation / record texts, 451 image fetch, 501 generation
 *      failed, 505 feature disabled, and any other code.
 *  - pending — the thing asked for is not ready yet: the 1080p "is processing" answers (400, or
 *      500 per a third party). The client turns these into `{ status: 'pending' }` results rather
 *      than throwing; the kind exists for callers that classify codes themselves.
 *
 * Transport failures (no KIE answer) have code 0 and say whether the request may have reached KIE
 * (`requestSent`). For calls that create paid work (generate, extend, 4K, Market createTask) a
 * failure after sending is ambiguous — KIE may have accepted the task and we never saw its id, and
 * KIE has no list or cancel endpoint. Such errors stay `retryable` (the fault is transient), but a
 * submitter must check `isAmbiguousSubmitFailure` first: a blind retry can pay KIE twice.
 *
 * The API key never appears here: messages hold KIE's texts, our endpoint names and Node's error
 * codes only, and no request object or header is attached as a cause.
 */
export type KieErrorKind = 'retryable' | 'permanent' | 'pending';

export interface KieErrorInit {
  code: number;
  msg: string;
  endpoint: string;
  kind: KieErrorKind;
  httpStatus: number | null;
  requestSent: boolean;
  /** A 2xx reply whose body we could not interpret (e.g. success without a taskId). */
  malformedReply?: boolean;
  /**
   * A 5xx whose body is not KIE's envelope: something in front of KIE (a load balancer, a gateway
   * timing out) answered, and KIE itself may have received the request and be working on it.
   */
  notFromKie?: boolean;
}

export class KieError extends Error {
  override readonly name = 'KieError';
  /** KIE's body `code`; the HTTP status when the body had none; 0 = no answer at all. */
  readonly code: number;
  /** KIE's message (`msg ?? message`), or our description of a transport failure. */
  readonly msg: string;
  /** Which call failed: `generate`, `record-info`, `get-1080p-video`, … */
  readonly endpoint: string;
  readonly kind: KieErrorKind;
  /** The HTTP status when KIE (or something in front of it) answered; null on transport failures. */
  readonly httpStatus: number | null;
  /** False only when we know the request never reached KIE (refused, DNS, connect timeout). */
  readonly requestSent: boolean;
  readonly malformedReply: boolean;
  readonly notFromKie: boolean;

  constructor(init: KieErrorInit) {
    super(`KIE ${init.endpoint} failed: ${init.code ? `code ${init.code}: ` : ''}${init.msg}`);
    this.code = init.code;
    this.msg = init.msg;
    this.endpoint = init.endpoint;
    this.kind = init.kind;
    this.httpStatus = init.httpStatus;
    this.requestSent = init.requestSent;
    this.malformedReply = init.malformedReply ?? false;
    this.notFromKie = init.notFromKie ?? false;
  }

  toJSON() {
    return {
      name: this.name,
      message: this.message,
      code: this.code,
      msg: this.msg,
      endpoint: this.endpoint,
      kind: this.kind,
      httpStatus: this.httpStatus,
      requestSent: this.requestSent,
      malformedReply: this.malformedReply,
      notFromKie: this.notFromKie,
    };
  }
}

const RETRYABLE_CODES = new Set([0, 429, 433, 455]);
const PERMANENT_5XX = new Set([501, 505]);

/** Classifies an answered KIE `code` for an endpoint (see the module comment). */
export function classifyKieCode(code: number, endpoint?: string): KieErrorKind {
  if (endpoint === 'get-1080p-video' && (code === 400 || code === 500)) return 'pending';
  if (RETRYABLE_CODES.has(code)) return 'retryable';
  if (code >= 500 && code <= 599 && !PERMANENT_5XX.has(code)) return 'retryable';
  return 'permanent';
}

/**
 * A create call whose fate is unknown: it may have created a (paid) KIE task whose id we never saw —
 * no answer after the request was written, a success reply we could not read, or a 5xx from something
 * in front of KIE rather than from KIE. The caller decides (our activity fails the job and refunds the
 * user rather than risk paying twice).
 */
export function isAmbiguousSubmitFailure(err: unknown): err is KieError {
  return (
    err instanceof KieError && err.requestSent && (err.code === 0 || err.malformedReply || err.notFromKie)
  );
}
