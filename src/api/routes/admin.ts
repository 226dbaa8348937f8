/** Operator API (admin key): users and API keys, credit grants, the global spend breaker. */
import { z } from 'zod';
import type { ApiDeps } from '../deps.js';
import { notFound } from '../problem.js';
import { defineRoute } from '../route.js';
import {
  BreakerBody,
  CreateUserBody,
  CreditsSchema,
  GrantBody,
  UserIdParams,
  UserSchema,
} from '../schemas.js';

const Breaker = z.object({
  open: z.boolean(),
  reason: z.string().nullable(),
  openedAt: z.string().nullable(),
});
const ApiKey = z.object({ id: z.string(), apiKey: z.string(), prefix: z.string() });
/** A new user with its first key: `keyId` is what DELETE /admin/keys/:keyId revokes. */
const CreatedUser = UserSchema.extend({ apiKey: z.string(), keyId: z.string() });

export function adminRoutes({ ledger, userDefaults }: ApiDeps) {
  const mustExist = async (userId: string) => {
    const user = await ledger.getUser(userId);
    if (!user) throw notFound('User');
    return user;
  };
  return [
    defineRoute({
      method: 'post',
      path: '/admin/users',
      summary: 'Create a user, with an API key (shown once) and optional initial credits',
      tags: ['admin'],
      auth: 'admin',
      body: CreateUserBody,
      responses: { 201: { description: 'Created; apiKey is shown only now', schema: CreatedUser } },
      handler: async ({ body }) => {
        const user = await ledger.createUser({
          name: body.name,
          concurrencyCap: body.concurrencyCap ?? userDefaults.concurrencyCap ?? null,
          dailySpendCap: body.dailySpendCap ?? userDefaults.dailySpendCap ?? null,
        });
        const key = await ledger.createApiKey(user.id);
        if (body.credits) {
          await ledger.grant({
            userId: user.id,
            amount: body.credits,
            idempotencyKey: `initial:${user.id}`,
            note: 'initial grant',
          });
        }
        return { status: 201, body: { id: user.id, name: user.name, apiKey: key.key, keyId: key.id } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/admin/users/:userId/keys',
      summary: 'Issue another API key for a user (shown once)',
      tags: ['admin'],
      auth: 'admin',
      params: UserIdParams,
      responses: { 201: { description: 'Created', schema: ApiKey } },
      handler: async ({ params }) => {
        await mustExist(params.userId);
        const key = await ledger.createApiKey(params.userId);
        return { status: 201, body: { id: key.id, apiKey: key.key, prefix: key.prefix } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/admin/keys/:keyId',
      summary: 'Revoke an API key',
      tags: ['admin'],
      auth: 'admin',
      params: z.object({ keyId: z.string().min(1).max(100) }),
      responses: { 204: { description: 'Revoked' } },
      handler: async ({ params, res }) => {
        await ledger.revokeApiKey(params.keyId);
        res.status(204).end();
        return undefined;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/admin/users/:userId/grants',
      summary: 'Grant credits (idempotent by idempotencyKey)',
      tags: ['admin'],
      auth: 'admin',
      params: UserIdParams,
      body: GrantBody,
      responses: {
        200: { description: 'Balance after the grant', schema: CreditsSchema.omit({ entries: true }) },
      },
      handler: async ({ params, body }) => {
        await mustExist(params.userId);
        await ledger.grant({
          userId: params.userId,
          amount: body.amount,
          idempotencyKey: body.idempotencyKey,
          ...(body.note ? { note: body.note } : {}),
        });
        return { body: await ledger.balance(params.userId) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/admin/users/:userId/credits',
      summary: "A user's balance",
      tags: ['admin'],
      auth: 'admin',
      params: UserIdParams,
      responses: { 200: { description: 'Balance', schema: CreditsSchema.omit({ entries: true }) } },
      handler: async ({ params }) => {
        await mustExist(params.userId);
        return { body: await ledger.balance(params.userId) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/admin/breaker',
      summary: 'The global spend breaker',
      tags: ['admin'],
      auth: 'admin',
      responses: { 200: { description: 'State', schema: Breaker } },
      handler: async () => ({ body: breakerView(await ledger.breaker()) }),
    }),
    defineRoute({
      method: 'post',
      path: '/admin/breaker',
      summary: 'Open (pause all new jobs) or close the spend breaker',
      tags: ['admin'],
      auth: 'admin',
      body: BreakerBody,
      responses: { 200: { description: 'State', schema: Breaker } },
      handler: async ({ body }) => {
        if (body.open) await ledger.openBreaker(body.reason ?? 'opened by an operator');
        else await ledger.closeBreaker();
        return { body: breakerView(await ledger.breaker()) };
      },
    }),
  ];
}

function breakerView(b: { open: boolean; reason: string | null; openedAt: Date | null }) {
  return { open: b.open, reason: b.reason, openedAt: b.openedAt ? b.openedAt.toISOString() : null };
}
