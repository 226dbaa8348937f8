/**
 * The KIE simulator, "the KIE side" of docs/kie-api.md over real HTTP. Layout:
 *   server.ts        startKieSimulator: HTTP routing, auth, maintenance, scripted replies, files, /_sim control
 *   routes.ts        the endpoint table          veo-api.ts / market.ts / common-api.ts  the handlers
 *   veo-tasks.ts     Veo task lifecycle, 1080p, 4K       validation.ts  KIE's 422 rules
 *   market-models.ts the Market models: input rules, results, prices
 *   callbacks.ts     signed delivery with retries        callback-bodies.ts / callback-dispatch.ts  shapes, faults
 *   files.ts         expiring URLs, Range, truncation, pacing
 *   media.ts         MP4/PNG/JPEG/WebP bytes             image-formats.ts  PNG and WebP encoding
 *   faults.ts        which faults apply when         fault-mix.ts  per-task random faults (SimFaults.mix)
 *   rate-limit.ts, account.ts, scheduler.ts, prng.ts, options.ts
 *   main.ts          `npm run kie-sim`
 */
export { startKieSimulator } from './server.js';
export { signCallback } from './callbacks.js';
export { MARKET_MODEL_NAMES, MARKET_MODELS, marketPrice } from './market-models.js';
export type { MarketModelName, MarketModelSpec } from './market-models.js';
export type { ImageFormat } from './media.js';
export type {
  FaultMix,
  KieSimulator,
  MarketRecordData,
  MarketTaskView,
  ScriptedReply,
  SentCallback,
  SimEndpoint,
  SimFaults,
  SimModel,
  SimOptions,
  SimStats,
  SimTaskView,
  VideoVariant,
} from './types.js';
