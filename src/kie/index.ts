/** The KIE.ai API: client, error type, payload schemas, and callback authentication. */
export {
  createKieClient,
  type KieCallEvent,
  type KieClient,
  type KieClientOptions,
  type MarketCreateTaskRequest,
  type Veo4kRequest,
  type VeoExtendRequest,
  type VeoGenerateRequest,
} from './client.js';
export {
  classifyKieCode,
  isAmbiguousSubmitFailure,
  KieError,
  type KieErrorInit,
  type KieErrorKind,
} from './errors.js';
export { decodeReply, KIE_ENDPOINTS, type KieAnswer } from './reply-decoders.js';
export * from './schemas.js';
export {
  headerValue,
  jobCallbackToken,
  signedTaskId,
  signKieCallback,
  verifyJobCallbackToken,
  verifyKieSignature,
  type HeaderSource,
  type KieSignatureCheck,
} from './webhook-auth.js';
/** Kept under the name the webhook service imports: `{ taskId, code, msg }` of any KIE callback, or null. */
export { parseCallbackSummary as parseVeoCallbackTaskId } from './schemas.js';
