/**
 * Responses checked against what their route declares: a JSON body is parsed with the schema of the
 * route that answered (matched by method and path) for that status. An undeclared status passes when
 * it is a problem+json; anything else fails, so code and schema cannot drift apart unnoticed.
 */
import assert from 'node:assert/strict';
import type { RouteSpec } from '../../src/api/route.js';
import { ProblemSchema } from '../../src/api/schemas.js';

const patterns = new WeakMap<RouteSpec, RegExp>();
const patternOf = (route: RouteSpec) => {
  let re = patterns.get(route);
  if (!re) {
    re = new RegExp(`^${route.path.replace(/:\w+/g, '[^/]+')}$`);
    patterns.set(route, re);
  }
  return re;
};

export function findRoute(routes: readonly RouteSpec[], method: string, path: string): RouteSpec | undefined {
  const pathname = new URL(path, 'http://x').pathname;
  return routes.find((r) => r.method === method.toLowerCase() && patternOf(r).test(pathname));
}

/** Asserts that `body` (already parsed JSON) is what the route declares for `status`. */
export function assertDeclaredResponse(
  routes: readonly RouteSpec[],
  reply: { method: string; path: string; status: number; contentType: string; body: unknown },
): void {
  if (!/json/.test(reply.contentType)) return;
  const where = `${reply.method} ${reply.path} → ${reply.status}`;
  const route = findRoute(routes, reply.method, reply.path);
  const declared = route?.responses[reply.status]?.schema;
  const schema = declared ?? (/problem\+json/.test(reply.contentType) ? ProblemSchema : undefined);
  if (!schema) {
    // Routes the table does not hold (the rate limiter's 429, the 404 of an unknown path) answer problems.
    assert.fail(`${where}: a JSON body no route declares: ${JSON.stringify(reply.body)}`);
  }
  const parsed = schema.safeParse(reply.body);
  assert.ok(parsed.success, `${where}: body does not match its schema: ${parsed.error?.message}`);
}
