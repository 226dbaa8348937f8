/**
 * What a video job costs, from the configured prices (docs/architecture.md#ledger): the one place a price is computed.
 * The whole price is held when the job starts; the workflow captures it less `hdPrice` when the
 * 1080p version was asked for but not delivered, and `cancelCharge` when the job is canceled after
 * KIE accepted its task.
 */
import type { Prices } from '../config.js';
import type { VideoRequest } from '../domain/index.js';

export interface JobPrice {
  /** Credits to hold: the model's price, plus the 1080p price when the request asks for it. */
  price: number;
  /** The 1080p part of `price` (0 when not asked for): given back when no 1080p is delivered. */
  hdPrice: number;
  /**
   * Captured when the job is canceled after KIE accepted its task (the rest given back): the model's
   * price under CANCEL_AFTER_SUBMIT=charge-model, 0 under refund.
   */
  cancelCharge: number;
}

export function priceOf(prices: Prices, request: Pick<VideoRequest, 'model' | 'hd'>): JobPrice {
  const hdPrice = request.hd ? prices.hd : 0;
  const modelPrice = prices[request.model];
  return {
    price: modelPrice + hdPrice,
    hdPrice,
    cancelCharge: prices.cancelAfterSubmit === 'charge-model' ? modelPrice : 0,
  };
}
