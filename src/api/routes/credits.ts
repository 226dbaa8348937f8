/** GET /v1/credits: the caller's balance, held credits and recent ledger entries. */
import type { CreditService } from '../../services/credits.js';
import { currentUser } from '../auth.js';
import { defineRoute } from '../route.js';
import { CreditsSchema } from '../schemas.js';

export function creditRoutes(credits: CreditService) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/credits',
      summary: 'Balance, held credits and the 50 most recent ledger entries',
      tags: ['credits'],
      auth: 'user',
      responses: { 200: { description: 'Credits', schema: CreditsSchema } },
      handler: async ({ req }) => ({ body: await credits.statement(currentUser(req).id) }),
    }),
  ];
}
