/** Request/response schemas of the public API: validation at run time and the OpenAPI document. */
import { z } from 'zod';
import {
  AspectRatioSchema,
  GenerationTypeSchema,
  JobListViewSchema,
  JobStateSchema,
  JobViewSchema,
  MarketModeSchema,
  MediaKindSchema,
  ModelIdSchema,
  VariantSchema,
  VeoModelSchema,
  type VideoRequest,
} from '../domain/index.js';
import { MAX_CREDITS } from '../ledger/index.js';
import { marketBodies, marketModelIds } from './market-bodies.js';
import { MAX_WEBHOOK_URL_LENGTH } from '../security/webhook-target.js';

/** A job and a page of jobs, as every route returns them: the domain's view, one schema. */
export const JobSchema = JobViewSchema;
export const JobListSchema = JobListViewSchema;

/** What people call each model (the studio's picker, GET /v1/models). */
export const MODEL_NAMES = { veo3: 'Veo 3.1', veo3_fast: 'Veo 3.1 Fast', veo3_lite: 'Veo 3.1 Lite' } as const;

/**
 * KIE's request limits (docs/kie-api.md), enforced by CreateVideoBody and published by GET /v1/models
 * so forms explain them. The prompt cap is ours: KIE documents none.
 */
export const VIDEO_LIMITS = {
  promptMaxLength: 5000,
  imageCounts: {
    TEXT_2_VIDEO: { min: 0, max: 0 },
    FIRST_AND_LAST_FRAMES_2_VIDEO: { min: 1, max: 2 },
    REFERENCE_2_VIDEO: { min: 1, max: 3 },
  },
  seed: { min: 10000, max: 99999 },
  referenceModels: ['veo3_fast', 'veo3_lite'],
  referenceAspectRatios: ['16:9'],
  hdAspectRatios: ['16:9', '9:16'],
} as const;
const { imageCounts } = VIDEO_LIMITS;

/** A customer's webhook URL as a schema can check it; the target policy is the services' (422 too). */
const webhookUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(MAX_WEBHOOK_URL_LENGTH);

/** A Veo video (the body of POST /v1/videos without a Market model; the seed app's route maps onto it). */
export const VeoVideoBody = z
  .strictObject({
    prompt: z.string().trim().min(1, 'prompt must not be empty').max(VIDEO_LIMITS.promptMaxLength),
    model: VeoModelSchema.default('veo3_fast'),
    generationType: GenerationTypeSchema.optional(),
    imageUrls: z
      .array(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }))
      .max(imageCounts.REFERENCE_2_VIDEO.max)
      .default([]),
    aspectRatio: z
      .enum(AspectRatioSchema.options, { error: 'must be one of 16:9, 9:16, Auto (KIE has no 1:1)' })
      .default('16:9'),
    seed: z.int().min(VIDEO_LIMITS.seed.min).max(VIDEO_LIMITS.seed.max).optional(),
    watermark: z.string().max(100).optional(),
    enableTranslation: z.boolean().default(true),
    hd: z
      .boolean()
      .default(false)
      .meta({
        description:
          'Also fetch and archive the 1080p version (16:9 and 9:16). Costs extra credits, held with the ' +
          'price and charged only when the 1080p file is delivered',
      }),
    webhookUrl: webhookUrl.optional().meta({
      description:
        "POSTed to when the job ends, signed as Standard Webhooks do with the user's secret (https, public " +
        "address, no credentials in the URL); absent = the user's default webhook, if any",
    }),
  })
  .transform((b, ctx): VideoRequest => {
    const generationType =
      b.generationType ?? (b.imageUrls.length ? 'FIRST_AND_LAST_FRAMES_2_VIDEO' : 'TEXT_2_VIDEO');
    const { min, max } = imageCounts[generationType];
    if (b.imageUrls.length < min || b.imageUrls.length > max) {
      ctx.addIssue({
        code: 'custom',
        path: ['imageUrls'],
        message: `${generationType} takes ${min === max ? min : `${min} to ${max}`} image URLs, got ${b.imageUrls.length}`,
      });
    }
    if (generationType === 'REFERENCE_2_VIDEO') {
      if (!(VIDEO_LIMITS.referenceModels as readonly string[]).includes(b.model))
        ctx.addIssue({
          code: 'custom',
          path: ['model'],
          message: `REFERENCE_2_VIDEO needs ${VIDEO_LIMITS.referenceModels.join(' or ')}`,
        });
      if (!(VIDEO_LIMITS.referenceAspectRatios as readonly string[]).includes(b.aspectRatio))
        ctx.addIssue({
          code: 'custom',
          path: ['aspectRatio'],
          message: 'REFERENCE_2_VIDEO supports 16:9 only',
        });
    }
    return {
      prompt: b.prompt,
      model: b.model,
      generationType,
      imageUrls: b.imageUrls,
      aspectRatio: b.aspectRatio,
      ...(b.seed !== undefined ? { seed: b.seed } : {}),
      ...(b.watermark ? { watermark: b.watermark } : {}),
      enableTranslation: b.enableTranslation,
      hd: b.hd,
      ...(b.webhookUrl !== undefined ? { webhookUrl: b.webhookUrl } : {}),
    };
  });

const optionalWebhookUrl = webhookUrl.optional().meta({
  description: "POSTed to when the job ends (as for Veo videos); absent = the user's default webhook, if any",
});

const modelError = (models: readonly string[]) => ({
  error: (issue: { code?: string }) =>
    issue.code === 'invalid_union' ? `must be one of ${models.join(', ')}` : undefined,
});

/** POST /v1/videos: a Veo video (`model` absent or a Veo model), or a Market video model's. */
export const CreateVideoBody = z.discriminatedUnion(
  'model',
  [VeoVideoBody, ...marketBodies('video', optionalWebhookUrl)],
  modelError([...VeoModelSchema.options, ...marketModelIds('video')]),
);

/** POST /v1/images: a Market image model's request (GET /v1/models lists their inputs). */
export const CreateImageBody = z.discriminatedUnion(
  'model',
  marketBodies('image', optionalWebhookUrl) as [
    ReturnType<typeof marketBodies>[number],
    ...ReturnType<typeof marketBodies>,
  ],
  modelError(marketModelIds('image')),
);

export const ListQuery = z.object({
  state: JobStateSchema.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const JobIdParams = z.object({ id: z.string().min(1).max(100) });

export const ContentQuery = z.object({
  variant: VariantSchema.default('original'),
  expires: z.string().optional().meta({ description: 'Signed links: expiry (unix seconds)' }),
  sig: z.string().optional().meta({ description: 'Signed links: signature of job, variant and expiry' }),
});

export const CreditsSchema = z.object({
  balance: z.int(),
  held: z.int(),
  available: z.int(),
  entries: z.array(
    z.object({
      kind: z.enum(['grant', 'hold', 'capture', 'release']),
      amount: z.int(),
      jobId: z.string().nullable(),
      at: z.string(),
      note: z.string().nullable(),
    }),
  ),
});
export type Credits = z.infer<typeof CreditsSchema>;

const CatalogOptionSchema = z.object({
  name: z.string().meta({ description: "The key in the request's `options`" }),
  type: z.enum(['enum', 'integer', 'boolean', 'text']),
  description: z.string(),
  values: z.array(z.string()).optional(),
  min: z.int().optional(),
  max: z.int().optional(),
  maxLength: z.int().optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  modes: z.array(MarketModeSchema).optional().meta({ description: 'Only these modes use it' }),
});

export const CatalogSchema = z.object({
  models: z.array(
    z.object({
      id: ModelIdSchema,
      name: z.string(),
      kind: MediaKindSchema,
      endpoint: z.enum(['/v1/videos', '/v1/images']).meta({ description: 'Where its jobs are created' }),
      price: z.int().meta({ description: 'Credits per priceUnit (Veo: per video, 1080p extra)' }),
      priceUnit: z.string(),
      modes: z.array(
        z.object({
          mode: MarketModeSchema,
          images: z.object({ min: z.int(), max: z.int() }).meta({ description: 'How many imageUrls' }),
        }),
      ),
      promptMaxLength: z.int(),
      options: z
        .array(CatalogOptionSchema)
        .meta({ description: 'Market models: the `options` the request may set (Veo: see limits)' }),
    }),
  ),
  hdPrice: z.int().meta({ description: 'Credits added for the 1080p version, charged only when delivered' }),
  limits: z.object({
    promptMaxLength: z.int().meta({ description: 'Characters, after trimming' }),
    imageCounts: z
      .record(GenerationTypeSchema, z.object({ min: z.int(), max: z.int() }))
      .meta({ description: 'How many imageUrls each generationType takes' }),
    seed: z.object({ min: z.int(), max: z.int() }),
    referenceModels: z.array(VeoModelSchema).meta({ description: 'The models REFERENCE_2_VIDEO works with' }),
    referenceAspectRatios: z.array(AspectRatioSchema),
    hdAspectRatios: z
      .array(AspectRatioSchema)
      .meta({ description: 'The aspect ratios a 1080p version exists for' }),
  }),
});
export type Catalog = z.infer<typeof CatalogSchema>;

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

/** A documented problem+json response, for a route's `responses`. */
export const problem = (description: string) => ({
  description,
  schema: ProblemSchema,
  contentType: 'application/problem+json',
});

/** Credits and caps are stored as int4: larger values are refused here, not by the database. */
const creditAmount = z.int().max(MAX_CREDITS);

export const CreateUserBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  concurrencyCap: creditAmount.positive().optional(),
  dailySpendCap: creditAmount.positive().optional(),
  credits: creditAmount.nonnegative().optional().meta({ description: 'Initial grant' }),
});
export const UserSchema = z.object({ id: z.string(), name: z.string(), apiKey: z.string().optional() });
export const GrantBody = z.strictObject({
  amount: creditAmount.positive(),
  idempotencyKey: z.string().min(1).max(200),
  note: z.string().max(500).optional(),
});
export const BreakerBody = z.strictObject({ open: z.boolean(), reason: z.string().max(500).optional() });
export const UserIdParams = z.object({ userId: z.string().min(1).max(100) });

export const WebhookBody = z.strictObject({
  url: webhookUrl.nullable().meta({
    description: "The user's default webhook URL (for jobs created without their own); null clears it",
  }),
});
export const WebhookSchema = z.object({
  url: z.string().nullable(),
  secretSet: z.boolean().meta({ description: 'Whether the user has a signing secret (never shown again)' }),
  secretCreatedAt: z.string().nullable(),
  secret: z
    .string()
    .optional()
    .meta({ description: '`whsec_…`: only in the answer that created it; keep it, it is not shown again' }),
});
