/** Config refuses at boot what would weaken a secret or overflow the ledger, naming the variable. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, MAX_CREDITS } from '../../src/config.js';

const refused = (env: Record<string, string>, variable: string) =>
  assert.throws(
    () => loadConfig(env),
    (err: unknown) => err instanceof ConfigError && err.message.includes(`${variable}:`),
    variable,
  );

describe('config validation', () => {
  it('WEBHOOK_SECRET, ADMIN_API_KEY and SESSION_SECRET are at least 32 characters when set', () => {
    for (const name of ['WEBHOOK_SECRET', 'ADMIN_API_KEY', 'SESSION_SECRET']) {
      refused({ [name]: 'x'.repeat(31) }, name);
      assert.equal(loadConfig({ [name]: 'x'.repeat(32) }).env[name as 'ADMIN_API_KEY'], 'x'.repeat(32));
      assert.equal(loadConfig({ [name]: '' }).env[name as 'ADMIN_API_KEY'], undefined, 'empty = unset');
    }
  });

  it('credit amounts fit the ledger (int4), a model price with the 1080p price included', () => {
    refused({ PRICE_VEO3: String(MAX_CREDITS + 1) }, 'PRICE_VEO3');
    refused({ DEMO_USER_CREDITS: String(MAX_CREDITS + 1) }, 'DEMO_USER_CREDITS');
    refused({ USER_DAILY_SPEND_CAP: '1e12' }, 'USER_DAILY_SPEND_CAP');
    refused({ PRICE_VEO3_FAST: String(MAX_CREDITS), PRICE_HD: '1' }, 'PRICE_VEO3_FAST');
    assert.equal(loadConfig({ PRICE_VEO3: String(MAX_CREDITS - 5) }).prices.veo3, MAX_CREDITS - 5);
  });

  it('KIE_GENERATION_DEADLINE_S: unset by default (each kind its own), at least a minute, at most a day', () => {
    assert.equal(loadConfig({}).env.KIE_GENERATION_DEADLINE_S, undefined);
    assert.equal(loadConfig({ KIE_GENERATION_DEADLINE_S: '300' }).env.KIE_GENERATION_DEADLINE_S, 300);
    refused({ KIE_GENERATION_DEADLINE_S: '59' }, 'KIE_GENERATION_DEADLINE_S');
    refused({ KIE_GENERATION_DEADLINE_S: String(24 * 3600 + 1) }, 'KIE_GENERATION_DEADLINE_S');
    refused({ KIE_GENERATION_DEADLINE_S: 'soon' }, 'KIE_GENERATION_DEADLINE_S');
  });

  it("KIE's balance watcher: a period of 0 (off) or at least a second; a low-water mark needs it on", () => {
    const env = loadConfig({}).env;
    assert.deepEqual(
      [env.KIE_BALANCE_EVERY_MS, env.KIE_BALANCE_LOW_WATER, env.KIE_BALANCE_AUTO_CLOSE],
      [300_000, 0, false],
    );
    refused({ KIE_BALANCE_EVERY_MS: '500' }, 'KIE_BALANCE_EVERY_MS');
    refused({ KIE_BALANCE_EVERY_MS: '-1' }, 'KIE_BALANCE_EVERY_MS');
    refused({ KIE_BALANCE_LOW_WATER: '-5' }, 'KIE_BALANCE_LOW_WATER');
    refused({ KIE_BALANCE_EVERY_MS: '0', KIE_BALANCE_LOW_WATER: '100' }, 'KIE_BALANCE_LOW_WATER');
    refused({ KIE_BALANCE_AUTO_CLOSE: 'maybe' }, 'KIE_BALANCE_AUTO_CLOSE');
    const on = loadConfig({ KIE_BALANCE_LOW_WATER: '250.5', KIE_BALANCE_AUTO_CLOSE: 'true' }).env;
    assert.deepEqual([on.KIE_BALANCE_LOW_WATER, on.KIE_BALANCE_AUTO_CLOSE], [250.5, true]);
    assert.equal(loadConfig({ KIE_BALANCE_EVERY_MS: '0' }).env.KIE_BALANCE_EVERY_MS, 0);
  });
});
