/**
 * What a video job costs, from the configured prices (docs/architecture.md#ledger): the one place a price is computed.
 * The whole price is held when the job starts; the workflow captures it less `hdPrice` when the
 * 1080p version was asked for but not delivered, and `cancelCharge` when the job is canceled after
 * KIE accepted its task.
 */
import type { Prices } from '../config.js';
import { isMarketRequest, MARKET_MODELS, type JobRequest } from '../domain/index.js';

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

export function priceOf(prices: Prices, request: JobRequest): JobPrice {
  const hdPrice = !isMarketRequest(request) && request.hd ? prices.hd : 0;
  const modelPrice = Math.ceil(prices[request.model] * priceFactor(request));
  return {
    price: modelPrice + hdPrice,
    hdPrice,
    cancelCharge: prices.cancelAfterSubmit === 'charge-model' ? modelPrice : 0,
  };
}

/**
 * What KIE will charge us for the job, in KIE credits (KIE_PRICES, scaled like our price): recorded
 * with the job for the spend report. The 1080p's part counts only when asked for at creation.
 */
export function kieCreditsOf(prices: Prices, request: JobRequest): number {
  const hd = !isMarketRequest(request) && request.hd ? prices.kie.hd : 0;
  return Math.ceil(prices.kie[request.model] * priceFactor(request)) + hd;
}

/** A Market model's options scale its price (a longer video, sound); Veo's price is per video. */
function priceFactor(request: JobRequest): number {
  return isMarketRequest(request) ? MARKET_MODELS[request.model].priceFactor(request.options) : 1;
}
