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
});
