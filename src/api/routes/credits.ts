/** GET /v1/credits: the caller's balance, held credits and recent ledger entries. */
import type { ApiDeps } from '../deps.js';
import { currentUser } from '../auth.js';
import { defineRoute } from '../route.js';
import { CreditsSchema } from '../schemas.js';

export function creditRoutes({ ledger }: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/credits',
      summary: 'Balance, held credits and the 50 most recent ledger entries',
      tags: ['credits'],
      auth: 'user',
      responses: { 200: { description: 'Credits', schema: CreditsSchema } },
      handler: async ({ req }) => {
        const userId = currentUser(req).id;
        const [balance, entries] = await Promise.all([ledger.balance(userId), ledger.entries(userId, 50)]);
        return {
          body: {
            ...balance,
            entries: entries.map((e) => ({
              kind: e.kind,
              amount: e.amount,
              jobId: e.jobId ?? null,
              at: e.createdAt.toISOString(),
              note: e.note ?? null,
            })),
          },
        };
      },
    }),
  ];
}
