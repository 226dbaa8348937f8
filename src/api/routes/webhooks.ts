/** POST /webhooks/kie/:jobId?token=… — KIE's completion callbacks (docs/kie-api.md#callbacks). */
import { z } from 'zod';
import { createCallbackGate } from '../../services/callback-gate.js';
import { handleKieCallback } from '../../services/webhook.js';
import type { ApiDeps } from '../deps.js';
import { HttpProblem } from '../problem.js';
import { defineRoute } from '../route.js';

const Ack = z.object({ code: z.literal(200), msg: z.string() });

export function webhookRoutes(deps: ApiDeps) {
  const gate = createCallbackGate();
  return [
    defineRoute({
      method: 'post',
      path: '/webhooks/kie/:jobId',
      summary: "KIE's task callback (per-job token; KIE signature checked when a HMAC key is configured)",
      tags: ['webhooks'],
      auth: 'none',
      params: z.object({ jobId: z.string().min(1).max(100) }),
      query: z.object({ token: z.string().max(200).optional() }),
      body: z.unknown(),
      responses: {
        200: { description: 'Accepted (also for finished or unknown jobs)', schema: Ack },
        400: { description: 'Malformed body' },
        401: { description: 'Bad token or signature' },
      },
      handler: async ({ params, query, body, req }) => {
        const outcome = await handleKieCallback(
          {
            temporal: deps.temporal,
            ledger: deps.ledger,
            gate,
            logger: deps.logger,
            metrics: deps.metrics,
            webhookSecret: deps.webhookSecret,
            kieHmacKey: deps.kieHmacKey,
          },
          { jobId: params.jobId, token: query.token, headers: req.headers, body },
        );
        if (outcome.status !== 200) {
          throw new HttpProblem(
            outcome.status,
            outcome.status === 401 ? 'Unauthorized' : 'Bad Request',
            outcome.detail,
          );
        }
        return { body: { code: 200, msg: 'success' } };
      },
    }),
  ];
}
