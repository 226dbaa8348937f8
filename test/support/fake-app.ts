/**
 * The HTTP layer in-process, without Temporal, a worker or the simulator: createApp over fakes of the
 * application services (each method fails the test unless the test gives it), a real ledger on an
 * in-memory PGlite schema for keys and sessions, on an ephemeral port closed when the test ends.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { Client } from '@temporalio/client';
import { createApp, type ApiServices, type App } from '../../src/api/app.js';
import type { ApiDeps } from '../../src/api/deps.js';
import { loadConfig } from '../../src/config.js';
import { createLedger, type Ledger } from '../../src/ledger/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { BreakerView } from '../../src/services/admin.js';
import { createLocalStorage } from '../../src/storage/index.js';
import { openScratchDb } from './databases.js';

export const ADMIN_KEY = 'fake-app-admin-key';

/** What a fake admin service answers for GET /admin/breaker: closed, KIE's balance never read. */
export const CLOSED_BREAKER: BreakerView = {
  open: false,
  reason: null,
  openedAt: null,
  openedBy: null,
  kieBalance: { credits: null, checkedAt: null, lowWater: null, error: null, errorAt: null },
};

/** Every method of every service, failing unless replaced: a request that should stop earlier must not get here. */
function unexpected<S extends object>(name: string, given: Partial<S>): S {
  return new Proxy(given, {
    get: (target, method: string) =>
      (target as Record<string, unknown>)[method] ??
      (() => assert.fail(`${name}.${method} was called; the HTTP layer should have answered first`)),
  }) as S;
}

export interface FakeApp {
  apiUrl: string;
  apiRoutes: App['routes'];
  ledger: Ledger;
  /** A user with an API key (no credits: the services are fakes). */
  user(): Promise<{ id: string; apiKey: string }>;
}

export async function startFakeApp(
  t: TestContext,
  services: { [K in keyof ApiServices]?: Partial<ApiServices[K]> } = {},
  /** Overrides of the app's dependencies; a function gets the app's ledger (to wrap it, say). */
  deps: Partial<ApiDeps> | ((ledger: Ledger) => Partial<ApiDeps>) = {},
): Promise<FakeApp> {
  const scratch = await openScratchDb('pglite');
  const ledger = await createLedger(scratch.db);
  const overrides = typeof deps === 'function' ? deps(ledger) : deps;
  const app = createApp(
    {
      // Lazy: nothing connects unless a route uses it, and with fake services none does.
      temporal: new Client(),
      taskQueue: 'fake-app',
      ledger,
      storage: createLocalStorage({ dir: '/nonexistent/fake-app' }),
      logger: createLogger('silent'),
      metrics: createMetrics(),
      prices: loadConfig({}).prices,
      webhookSecret: 'fake-app-webhook-secret',
      adminApiKey: ADMIN_KEY,
      userDefaults: {},
      readiness: { db: async () => {}, temporal: async () => {} },
      ...overrides,
    },
    {
      videos: unexpected('videos', services.videos ?? {}),
      admin: unexpected('admin', services.admin ?? {}),
      credits: unexpected('credits', services.credits ?? {}),
    },
  );
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await scratch.drop();
  });
  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    apiRoutes: app.routes,
    ledger,
    async user() {
      const { user, key } = await ledger.createUserWithKey({ name: 'fake-app user' });
      return { id: user.id, apiKey: key.key };
    },
  };
}
