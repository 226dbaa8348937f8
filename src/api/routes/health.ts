/** Liveness, readiness (Temporal and the database reachable) and Prometheus metrics. */
import { z } from 'zod';
import { newErrorRef } from '../../observability/error-ref.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute } from '../route.js';

const Readiness = z.object({ ok: z.boolean(), checks: z.record(z.string(), z.string()) });

export function healthRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process answers',
      tags: ['operations'],
      auth: 'none',
      responses: { 200: { description: 'Alive', schema: z.object({ ok: z.literal(true) }) } },
      handler: async () => ({ body: { ok: true } }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: Temporal and the database are reachable',
      tags: ['operations'],
      auth: 'none',
      responses: {
        200: { description: 'Ready', schema: Readiness },
        503: { description: 'Not ready', schema: Readiness },
      },
      handler: async () => {
        const checks: Record<string, string> = {};
        for (const [name, check] of Object.entries(deps.readiness)) {
          try {
            await withTimeout(check(), 3000);
            checks[name] = 'ok';
          } catch (err) {
            // The driver's or the network's text (hosts, paths) goes to the log, not to anonymous callers.
            const ref = newErrorRef();
            deps.logger.warn({ err, check: name, ref }, 'readiness check failed');
            checks[name] = `unavailable (ref ${ref})`;
          }
        }
        const ok = Object.values(checks).every((c) => c === 'ok');
        return { status: ok ? 200 : 503, body: { ok, checks } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics',
      tags: ['operations'],
      auth: 'none',
      responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain' } },
      handler: async ({ res }) => {
        res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
        return undefined;
      },
    }),
  ];
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref()),
  ]);
}
