/** The API's route table: method + path → endpoint and handler. Auth, maintenance and scripted replies are applied by the server. */
import type { IncomingMessage } from 'node:http';
import type { createCommonApi } from './common-api.js';
import type { Reply } from './envelope.js';
import type { Market } from './market.js';
import type { SimEndpoint, SimFaults } from './types.js';
import type { createVeoApi } from './veo-api.js';

export interface ApiRequest {
  req: IncomingMessage;
  url: URL;
  /** The parsed JSON body of a POST; `{}` for a GET. */
  body: Record<string, unknown>;
  /** The request's own X-Sim-Faults (already checked; `{}` without the header). */
  faults: SimFaults;
}

export type Handler = (r: ApiRequest) => Reply | Promise<Reply>;

export interface Route {
  endpoint: SimEndpoint;
  handler: Handler;
}

export const GENERATE_PATH = '/api/v1/veo/generate';

/** Every endpoint's method and path. */
export const ENDPOINTS: Readonly<Record<SimEndpoint, readonly ['GET' | 'POST', string]>> = {
  generate: ['POST', GENERATE_PATH],
  'record-info': ['GET', '/api/v1/veo/record-info'],
  'get-1080p-video': ['GET', '/api/v1/veo/get-1080p-video'],
  'get-4k-video': ['POST', '/api/v1/veo/get-4k-video'],
  extend: ['POST', '/api/v1/veo/extend'],
  credit: ['GET', '/api/v1/chat/credit'],
  'download-url': ['POST', '/api/v1/common/download-url'],
  'jobs/createTask': ['POST', '/api/v1/jobs/createTask'],
  'jobs/recordInfo': ['GET', '/api/v1/jobs/recordInfo'],
};

export const isSimEndpoint = (name: string): name is SimEndpoint => Object.hasOwn(ENDPOINTS, name);

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
