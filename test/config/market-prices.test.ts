/**
 * Prices of every model from config: one price variable per model the domain sells (the two lists
 * kept in step), KIE_PRICES parsed strictly, and a Market job priced by its options.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, PRICE_VARIABLES } from '../../src/config.js';
import { ModelIdSchema } from '../../src/domain/index.js';
import { kieCreditsOf, priceOf } from '../../src/services/pricing.js';
import { marketRequest, videoRequest } from '../support/requests.js';

describe('model prices', () => {
  it('every model the domain sells has a price variable, and only those', () => {
    assert.deepEqual(Object.keys(PRICE_VARIABLES).sort(), [...ModelIdSchema.options].sort());
  });

  it('KIE_PRICES: defaults, overrides by name, clear errors', () => {
    const defaults = loadConfig({}).prices.kie;
    assert.equal(defaults['kling-2.6'], 55);
    const custom = loadConfig({ KIE_PRICES: 'kling-2.6=50, hd=6' }).prices.kie;
    assert.deepEqual({ ...defaults, 'kling-2.6': 50, hd: 6 }, custom);
    for (const bad of ['kling=50', 'kling-2.6=-1', 'kling-2.6=1.5', 'veo3', 'veo3=1=2', 'toString=1'])
      assert.throws(() => loadConfig({ KIE_PRICES: bad }), ConfigError, bad);
  });

  it('a Market price scales with its options, rounded up; Veo keeps its 1080p part', () => {
    const prices = loadConfig({ PRICE_KLING_2_6: '55', PRICE_SORA_2: '30', PRICE_HD: '5' }).prices;
    const kling = (options: Record<string, string | boolean>) =>
      priceOf(prices, marketRequest({ model: 'kling-2.6', mode: 'text-to-video', options })).price;
    assert.equal(kling({ duration: '5', sound: false }), 55);
    assert.equal(kling({ duration: '10', sound: false }), 110);
    assert.equal(kling({ duration: '10', sound: true }), 220);
    const sora = priceOf(
      prices,
      marketRequest({ model: 'sora-2', mode: 'image-to-video', options: { nFrames: '15' } }),
    );
    assert.deepEqual(sora, { price: 45, hdPrice: 0, cancelCharge: 45 });
    const veo = priceOf(prices, videoRequest({ model: 'veo3', hd: true }));
    assert.deepEqual(veo, { price: prices.veo3 + 5, hdPrice: 5, cancelCharge: prices.veo3 });
    assert.equal(
      kieCreditsOf(prices, videoRequest({ model: 'veo3', hd: true })),
      prices.kie.veo3 + prices.kie.hd,
    );
    assert.equal(
      kieCreditsOf(
        prices,
        marketRequest({
          model: 'kling-2.6',
          mode: 'text-to-video',
          options: { duration: '10', sound: true },
        }),
      ),
      4 * prices.kie['kling-2.6'],
    );
  });
});
