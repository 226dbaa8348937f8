/**
 * Operator API (admin key): users and API keys, credit grants, customers' webhooks, the global spend
 * breaker and KIE's balance.
 */
import { z } from 'zod';
import { BreakerSourceSchema } from '../../domain/index.js';
import type { AdminService } from '../../services/admin.js';
import { defineRoute } from '../route.js';
import {
  problem,
  BreakerBody,
  CreateUserBody,
  CreditsSchema,
  GrantBody,
  UserIdParams,
  UserSchema,
  WebhookBody,
  WebhookSchema,
} from '../schemas.js';

const KieBalance = z
  .object({
    credits: z
      .number()
      .nullable()
      .meta({ description: "KIE's balance at the last good read; null before the first" }),
    checkedAt: z.string().nullable().meta({ description: 'When that read was made' }),
    lowWater: z
      .number()
      .nullable()
      .meta({ description: 'KIE_BALANCE_LOW_WATER as that read applied it; null = no mark' }),
    error: z.string().nullable().meta({ description: 'Why the last read failed; null when it succeeded' }),
    errorAt: z.string().nullable(),
  })
  .meta({ description: "KIE's account balance, read by the workers' balance watcher" });
const Breaker = z.object({
  open: z.boolean(),
  reason: z.string().nullable(),
  openedAt: z.string().nullable(),
  openedBy: BreakerSourceSchema.nullable().meta({
    description: 'Who opened it: null while closed (or opened before this was recorded)',
  }),
  kieBalance: KieBalance,
});
const SpendSchema = z.object({
  models: z.array(
    z.object({
      model: z.string(),
      jobs: z.int(),
      succeeded: z.int(),
      charged: z.int().meta({ description: 'Credits captured from users' }),
      kieCredits: z.int().meta({ description: 'KIE credits spent (KIE_PRICES per job KIE accepted)' }),
    }),
  ),
});
const ApiKey = z.object({ id: z.string(), apiKey: z.string(), prefix: z.string() });
/** A new user with its first key: `keyId` is what DELETE /admin/keys/:keyId revokes. */
const CreatedUser = UserSchema.extend({ apiKey: z.string(), keyId: z.string() });

export function adminRoutes(admin: AdminService) {
  return [
    defineRoute({
      method: 'post',
      path: '/admin/users',
      summary: 'Create a user, with an API key (shown once) and optional initial credits',
      tags: ['admin'],
      auth: 'admin',
      body: CreateUserBody,
      responses: { 201: { description: 'Created; apiKey is shown only now', schema: CreatedUser } },
      handler: async ({ body }) => ({ status: 201, body: await admin.createUser(body) }),
    }),
    defineRoute({
      method: 'post',
      path: '/admin/users/:userId/keys',
      summary: 'Issue another API key for a user (shown once)',
      tags: ['admin'],
      auth: 'admin',
      params: UserIdParams,
      responses: { 201: { description: 'Created', schema: ApiKey } },
      handler: async ({ params }) => ({ status: 201, body: await admin.issueKey(params.userId) }),
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
        await admin.revokeKey(params.keyId);
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
        422: problem("Invalid field, or a balance that would exceed the ledger's maximum"),
      },
      handler: async ({ params, body }) => ({ body: await admin.grant(params.userId, body) }),
    }),
    defineRoute({
      method: 'get',
      path: '/admin/users/:userId/credits',
      summary: "A user's balance",
      tags: ['admin'],
      auth: 'admin',
      params: UserIdParams,
      responses: { 200: { description: 'Balance', schema: CreditsSchema.omit({ entries: true }) } },
      handler: async ({ params }) => ({ body: await admin.balance(params.userId) }),
    }),
    defineRoute({
      method: 'get',
      path: '/admin/users/:userId/webhook',
      summary: "A user's default webhook URL, and whether it has a signing secret (never the secret)",
      tags: ['admin'],
      auth: 'admin',
      params: UserIdParams,
      responses: { 200: { description: 'The webhook', schema: WebhookSchema } },
      handler: async ({ params }) => ({ body: await admin.webhook(params.userId) }),
    }),
    defineRoute({
      method: 'put',
      path: '/admin/users/:userId/webhook',
      summary:
        "Set or clear (null) a user's default webhook URL; the user's first one comes with its signing secret, shown once",
      tags: ['admin'],
      auth: 'admin',
      params: UserIdParams,
      body: WebhookBody,
      responses: {
        200: { description: 'The webhook; `secret` only when it was created now', schema: WebhookSchema },
        422: problem('Not an allowed webhook URL'),
      },
      handler: async ({ params, body }) => ({ body: await admin.setWebhook(params.userId, body.url) }),
    }),
    defineRoute({
      method: 'post',
      path: '/admin/users/:userId/webhook/secret',
      summary:
        "Create or rotate a user's webhook signing secret (shown once; the next delivery is signed with it)",
      tags: ['admin'],
      auth: 'admin',
      params: UserIdParams,
      responses: {
        201: { description: 'The webhook with its new `secret`, shown only now', schema: WebhookSchema },
      },
      handler: async ({ params }) => ({ status: 201, body: await admin.rotateWebhookSecret(params.userId) }),
    }),
    defineRoute({
      method: 'get',
      path: '/admin/spend',
      summary: 'Per model: jobs, credits charged to users, and KIE credits spent on them (KIE_PRICES)',
      tags: ['admin'],
      auth: 'admin',
      responses: { 200: { description: 'Spend by model', schema: SpendSchema } },
      handler: async () => ({ body: await admin.spend() }),
    }),
    defineRoute({
      method: 'get',
      path: '/admin/breaker',
      summary: "The global spend breaker: open or not, why, who opened it; and KIE's balance as last read",
      tags: ['admin'],
      auth: 'admin',
      responses: { 200: { description: 'State', schema: Breaker } },
      handler: async () => ({ body: await admin.breaker() }),
    }),
    defineRoute({
      method: 'post',
      path: '/admin/breaker',
      summary: 'Open (pause all new jobs) or close the spend breaker',
      tags: ['admin'],
      auth: 'admin',
      body: BreakerBody,
      responses: { 200: { description: 'State', schema: Breaker } },
      handler: async ({ body }) => ({ body: await admin.setBreaker(body) }),
    }),
  ];
}
