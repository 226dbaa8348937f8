/** The API's route table: method + path → endpoint and handler. Auth, maintenance and scripted replies are applied by the server. */
import type { createCommonApi } from './common-api.js';
import { ENDPOINTS, type Handler, type Route } from './endpoints.js';
import type { Market } from './market.js';
import type { SimEndpoint } from './types.js';
import type { createVeoApi } from './veo-api.js';

export function buildRoutes(apis: {
  veo: ReturnType<typeof createVeoApi>;
  market: Market;
  common: ReturnType<typeof createCommonApi>;
}): Map<string, Map<string, Route>> {
  const { veo, market, common } = apis;
  const handlers: Record<SimEndpoint, Handler> = {
    generate: (r) => veo.generate(r),
    'record-info': (r) => veo.recordInfo(r),
    'get-1080p-video': (r) => veo.get1080p(r),
    'get-4k-video': (r) => veo.get4k(r),
    extend: (r) => veo.extend(r),
    credit: () => common.credit(),
    'download-url': (r) => common.downloadUrl(r),
    'jobs/createTask': (r) => market.createTask(r),
    'jobs/recordInfo': (r) => market.recordInfo(r),
  };
  const byPath = new Map<string, Map<string, Route>>();
  for (const [endpoint, [method, path]] of Object.entries(ENDPOINTS) as Array<
    [SimEndpoint, readonly ['GET' | 'POST', string]]
  >) {
    const methods = byPath.get(path) ?? new Map<string, Route>();
    methods.set(method, { endpoint, handler: handlers[endpoint] });
    byPath.set(path, methods);
  }
  return byPath;
}
