/**
 * The price of the form's current choices, as the server computes it (src/services/pricing.ts): a
 * Market model's price (GET /v1/models) times the factor its options give (a longer video, sound),
 * rounded up. The factor is code, not data the catalogue can publish, so it comes from the domain's
 * own table (plain data and functions, no zod, no imports: a few KB in the bundle) rather than a copy.
 * The job's `price` in the 202 answer stays the word that counts.
 */
import { isMarketModel, MARKET_MODELS, type OptionValue } from '../../domain/market-catalog.js';
import type { OptionInput } from './market-options.js';
import type { CatalogModel } from './types.js';

export { isMarketModel };

export function marketPrice(model: CatalogModel, options: Record<string, OptionInput>): number {
  if (!isMarketModel(model.id)) return model.price;
  const given = Object.fromEntries(
    Object.entries(options).filter((e): e is [string, OptionValue] => e[1] !== null),
  );
  return Math.ceil(model.price * MARKET_MODELS[model.id].priceFactor(given));
}
