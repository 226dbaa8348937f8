/** GET /v1/models: what a video costs with each model, and the request limits forms should explain. */
import type { ApiDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { VeoModelSchema } from '../../domain/index.js';
import { CatalogSchema, MODEL_NAMES, VIDEO_LIMITS } from '../schemas.js';

export function modelRoutes({ prices }: Pick<ApiDeps, 'prices'>) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/models',
      summary: 'Models with their price in credits, the 1080p price, and the request limits',
      tags: ['videos'],
      auth: 'none',
      responses: { 200: { description: 'The catalog', schema: CatalogSchema } },
      handler: async () => ({
        body: {
          models: VeoModelSchema.options.map((id) => ({ id, name: MODEL_NAMES[id], price: prices[id] })),
          hdPrice: prices.hd,
          limits: VIDEO_LIMITS,
        },
      }),
    }),
  ];
}
