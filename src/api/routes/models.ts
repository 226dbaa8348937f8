/**
 * GET /v1/models: every model we sell — Veo's and the Market ones (src/domain/market-catalog.ts) —
 * with its kind, modes, inputs and limits, and its price in credits (config), so forms can explain them.
 */
import type { ApiDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { MARKET_MODELS, VeoModelSchema, type MarketModelSpec, type OptionSpec } from '../../domain/index.js';
import { CatalogSchema, MODEL_NAMES, VIDEO_LIMITS, type Catalog } from '../schemas.js';

type CatalogModel = Catalog['models'][number];

export function modelRoutes({ prices }: Pick<ApiDeps, 'prices'>) {
  const veo = VeoModelSchema.options.map((id): CatalogModel => ({
    id,
    name: MODEL_NAMES[id],
    kind: 'video',
    endpoint: '/v1/videos',
    price: prices[id],
    priceUnit: 'one 8 s video (1080p: hdPrice more)',
    modes: [
      { mode: 'text-to-video', images: VIDEO_LIMITS.imageCounts.TEXT_2_VIDEO },
      { mode: 'image-to-video', images: VIDEO_LIMITS.imageCounts.REFERENCE_2_VIDEO },
    ],
    promptMaxLength: VIDEO_LIMITS.promptMaxLength,
    options: [],
  }));
  const market = Object.values(MARKET_MODELS).map((spec) => marketEntry(spec, prices[spec.id]));
  const limits = VIDEO_LIMITS as unknown as Catalog['limits']; // readonly tuples, same values
  const body: Catalog = { models: [...veo, ...market], hdPrice: prices.hd, limits };
  return [
    defineRoute({
      method: 'get',
      path: '/v1/models',
      summary:
        'Every model with its kind, modes, inputs and limits, and its price in credits; the 1080p price and the Veo limits',
      tags: ['videos'],
      auth: 'none',
      responses: { 200: { description: 'The catalog', schema: CatalogSchema } },
      handler: async () => ({ body }),
    }),
  ];
}

function marketEntry(spec: MarketModelSpec, price: number): CatalogModel {
  return {
    id: spec.id,
    name: spec.name,
    kind: spec.kind,
    endpoint: spec.kind === 'image' ? '/v1/images' : '/v1/videos',
    price,
    priceUnit: spec.priceUnit,
    modes: Object.entries(spec.modes).map(([mode, m]) => ({
      mode: mode as CatalogModel['modes'][number]['mode'],
      images: m.images,
    })),
    promptMaxLength: spec.promptMaxLength,
    options: Object.entries(spec.options).map(([name, o]) => optionEntry(name, o)),
  };
}

function optionEntry(name: string, o: OptionSpec): CatalogModel['options'][number] {
  const common = {
    name,
    type: o.type,
    description: o.description,
    ...(o.modes ? { modes: [...o.modes] } : {}),
  };
  switch (o.type) {
    case 'enum':
      return { ...common, values: [...o.values], ...(o.default !== undefined ? { default: o.default } : {}) };
    case 'integer':
      return {
        ...common,
        min: o.min,
        max: o.max,
        ...(o.default !== undefined ? { default: o.default } : {}),
      };
    case 'boolean':
      return { ...common, ...(o.default !== undefined ? { default: o.default } : {}) };
    case 'text':
      return { ...common, maxLength: o.maxLength };
  }
}
