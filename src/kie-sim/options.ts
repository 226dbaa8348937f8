/** SimOptions with every default filled in, in one place. */
import { randomInt } from 'node:crypto';
import { MARKET_MODEL_NAMES, MARKET_MODELS, type MarketModelName } from './market-models.js';
import type { ImageFormat } from './media.js';
import type { SimModel, SimOptions } from './types.js';

export interface ResolvedOptions {
  port: number;
  host: string;
  apiKeys: string[];
  seed: number;
  hmacKey: string | null;
  credits: number;
  prices: Record<SimModel | 'hd1080' | 'fourK' | 'extend', number>;
  durationsMs: Record<SimModel | 'extend' | 'fourK' | 'market', number> &
    Partial<Record<MarketModelName, number>>;
  marketPrices: Record<MarketModelName, number>;
  marketImageFormat: ImageFormat;
  marketImageCount: number | null;
  hd1080DelayMs: number;
  urlTtlMs: number;
  downloadUrlTtlMs: number;
  rateLimit: { max: number; windowMs: number };
  relaxedReference: boolean;
  mirrorHttpStatus: boolean;
  callbackRetryDelayMs: number;
  log: (line: string) => void;
}

export function resolveOptions(o: SimOptions): ResolvedOptions {
  return {
    port: o.port ?? 0,
    host: o.host ?? '127.0.0.1',
    apiKeys: o.apiKeys ?? ['sim-key'],
    // Without a seed a run is still reproducible from the seed it logs.
    seed: o.seed ?? randomInt(0, 2 ** 31),
    hmacKey: o.hmacKey ?? null,
    credits: o.credits ?? 100_000,
    // KIE publishes no prices; these are third-party measurements (docs/kie-api.md#limits-retention-pricing), per 8 s clip.
    prices: { veo3: 250, veo3_fast: 80, veo3_lite: 30, hd1080: 5, fourK: 120, extend: 80, ...o.prices },
    // Real generations take minutes; defaults keep `npm run kie-sim` interactive.
    durationsMs: {
      veo3: 12_000,
      veo3_fast: 8_000,
      veo3_lite: 6_000,
      extend: 10_000,
      fourK: 10_000,
      market: 3_000,
      ...o.durationsMs,
    },
    marketPrices: {
      ...(Object.fromEntries(MARKET_MODEL_NAMES.map((m) => [m, MARKET_MODELS[m].price])) as Record<
        MarketModelName,
        number
      >),
      ...o.marketPrices,
    },
    marketImageFormat: o.marketImageFormat ?? 'png',
    marketImageCount: o.marketImageCount ?? null,
    hd1080DelayMs: o.hd1080DelayMs ?? 5_000,
    // The Market page says result URLs "typically expire after 24 hours".
    urlTtlMs: o.urlTtlMs ?? 24 * 3600_000,
    downloadUrlTtlMs: o.downloadUrlTtlMs ?? 20 * 60_000,
    rateLimit: o.rateLimit ?? { max: 20, windowMs: 10_000 },
    relaxedReference: o.relaxedReference ?? false,
    mirrorHttpStatus: o.mirrorHttpStatus ?? false,
    callbackRetryDelayMs: o.callbackRetryDelayMs ?? 1_000,
    log: o.log ?? (() => undefined),
  };
}
