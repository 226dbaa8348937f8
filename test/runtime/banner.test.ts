/** What `npm start` prints: its own generated secrets, never the operator's; a demo user only with the simulator. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { startupBanner, wantsDemoUser } from '../../src/runtime/banner.js';
import { createLocalStorage } from '../../src/storage/index.js';

const stack = (adminApiKey: string | undefined) => ({
  apiUrl: 'http://127.0.0.1:3000',
  temporal: { client: null as never, address: '127.0.0.1:7233', uiUrl: 'http://127.0.0.1:8233' },
  simulator: null,
  storage: createLocalStorage({ dir: '/tmp/veo-banner-test' }),
  adminApiKey,
});
const demo = { name: 'demo', apiKey: 'veo_sk_demo', available: 1000 };

describe('npm start banner', () => {
  it('prints a generated admin key, never one from ADMIN_API_KEY', () => {
    const generated = startupBanner(stack('generated-key'), loadConfig({}), demo);
    assert.match(generated, /Admin key\s+generated-key/);
    const fromEnv = 'operator-key-0123456789abcdefghijklmnopq';
    const printed = startupBanner(stack(fromEnv), loadConfig({ ADMIN_API_KEY: fromEnv }), demo);
    assert.doesNotMatch(printed, new RegExp(fromEnv));
    assert.match(printed, /Admin key\s+\(from ADMIN_API_KEY\)/);
  });

  it('a demo user with the simulator only; with a real KIE key, how to create users instead', () => {
    assert.equal(wantsDemoUser(loadConfig({})), true);
    const real = loadConfig({ KIE_API_KEY: 'kie-real-key' });
    assert.equal(wantsDemoUser(real), false);
    const banner = startupBanner(stack('k'), real, null);
    assert.doesNotMatch(banner, /Demo user|VEO_API_KEY=/);
    assert.match(banner, /no demo user/);
  });
});
