/**
 * The simulated API's endpoints (method and path) and what a handler receives and returns. Apart from
 * the route table (routes.ts) so the handlers can name these types without importing the table that
 * imports them.
 */
import type { IncomingMessage } from 'node:http';
import type { Reply } from './envelope.js';
import type { SimEndpoint, SimFaults } from './types.js';

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
