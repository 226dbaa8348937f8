/** The API's route table: method + path → handler. Auth and maintenance are applied by the server. */
import type { IncomingMessage } from 'node:http';
import type { createCommonApi } from './common-api.js';
import type { Reply } from './envelope.js';
import type { Market } from './market.js';
import type { createVeoApi } from './veo-api.js';

export interface ApiRequest {
  req: IncomingMessage;
  url: URL;
  /** The parsed JSON body of a POST; `{}` for a GET. */
  body: Record<string, unknown>;
}

export type Handler = (r: ApiRequest) => Reply | Promise<Reply>;

export const GENERATE_PATH = '/api/v1/veo/generate';

export function buildRoutes(apis: {
  veo: ReturnType<typeof createVeoApi>;
  market: Market;
  common: ReturnType<typeof createCommonApi>;
}): Map<string, Map<string, Handler>> {
  const { veo, market, common } = apis;
  const table: Array<[string, string, Handler]> = [
    ['POST', GENERATE_PATH, (r) => veo.generate(r)],
    ['GET', '/api/v1/veo/record-info', (r) => veo.recordInfo(r)],
    ['GET', '/api/v1/veo/get-1080p-video', (r) => veo.get1080p(r)],
    ['POST', '/api/v1/veo/get-4k-video', (r) => veo.get4k(r)],
    ['POST', '/api/v1/veo/extend', (r) => veo.extend(r)],
    ['GET', '/api/v1/chat/credit', () => common.credit()],
    ['POST', '/api/v1/common/download-url', (r) => common.downloadUrl(r)],
    ['POST', '/api/v1/jobs/createTask', (r) => market.createTask(r)],
    ['GET', '/api/v1/jobs/recordInfo', (r) => market.recordInfo(r)],
  ];
  const byPath = new Map<string, Map<string, Handler>>();
  for (const [method, path, handler] of table) {
    const methods = byPath.get(path) ?? new Map<string, Handler>();
    methods.set(method, handler);
    byPath.set(path, methods);
  }
  return byPath;
}
