/**
 * zod schemas for every KIE payload the client reads (docs/kie-api.md), each normalising its
 * documented and seed-only spellings into one internal shape. Split by endpoint under ./schemas/.
 */
export {
  asRecord,
  intSchema,
  jsonStringSchema,
  numberSchema,
  parseKieTime,
  timeSchema,
  urlListSchema,
} from './schemas/primitives.js';
export { envelopeFromHttp, envelopeSchema, type KieEnvelope } from './schemas/envelope.js';
export { creditsDataSchema, downloadUrlDataSchema, taskIdDataSchema } from './schemas/common.js';
export {
  parseVeoRecord,
  successFlagSchema,
  veoRecordDataSchema,
  type VeoSuccessFlag,
  type VeoTaskRecord,
} from './schemas/veo-record.js';
export {
  interpret1080p,
  interpret4k,
  veo1080pDataSchema,
  veo4kDataSchema,
  type Veo1080pResult,
  type Veo4kResult,
} from './schemas/veo-upgrades.js';
export {
  marketRecordDataSchema,
  marketStateSchema,
  type MarketState,
  type MarketTaskRecord,
} from './schemas/market.js';
export {
  callbackSummarySchema,
  marketCallbackSchema,
  parseCallbackSummary,
  veo4kCallbackSchema,
  veoCallbackSchema,
  type CallbackSummary,
  type MarketCallback,
  type Veo4kCallback,
  type VeoCallback,
} from './schemas/callbacks.js';
