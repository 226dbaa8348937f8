/** The Market vocabulary as zod schemas (the API's validation and OpenAPI); the table is market-catalog.ts. */
import { z } from 'zod';
import { MARKET_MODEL_IDS, MARKET_MODES, MEDIA_KINDS, type MarketRequest } from './market-catalog.js';

export const MarketModelSchema = z
  .enum(MARKET_MODEL_IDS)
  .meta({ description: 'A Market model: Nano Banana, Imagen 4, Kling 2.6 or Sora 2' });
export const MediaKindSchema = z.enum(MEDIA_KINDS);
export const MarketModeSchema = z.enum(MARKET_MODES);

export const MarketRequestSchema = z.object({
  api: z.literal('market'),
  model: MarketModelSchema,
  mode: MarketModeSchema,
  prompt: z.string(),
  imageUrls: z.array(z.string()),
  options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  webhookUrl: z.string().optional(),
}) satisfies z.ZodType<MarketRequest>;
