/**
 * What a video job costs, from the configured prices (docs/architecture.md#ledger): the one place a price is computed.
 * The whole price is held when the job starts; the workflow captures it less `hdPrice` when the
 * 1080p version was asked for but not delivered.
 */
import type { Prices } from '../config.js';
import type { VideoRequest } from '../domain/index.js';

export interface JobPrice {
  /** Credits to hold: the model's price, plus the 1080p price when the request asks for it. */
  price: number;
  /** The 1080p part of `price` (0 when not asked for): given back when no 1080p is delivered. */
  hdPrice: number;
}

export function priceOf(prices: Prices, request: Pick<VideoRequest, 'model' | 'hd'>): JobPrice {
  const hdPrice = request.hd ? prices.hd : 0;
  return { price: prices[request.model] + hdPrice, hdPrice };
}
