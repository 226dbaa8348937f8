/** Request/response schemas of the public API: validation at run time and the OpenAPI document. */
import { z } from 'zod';
import type { VideoRequest } from '../workflows/job-types.js';

export const Model = z
  .enum(['veo3', 'veo3_fast', 'veo3_lite'])
  .meta({ description: 'Veo 3.1 Quality, Fast or Lite' });
export const JobStateSchema = z.enum([
  'reserving',
  'submitting',
  'generating',
  'fetching_hd',
  'archiving',
  'succeeded',
  'rejected',
  'failed',
  'canceled',
  'timed_out',
]);

const imageCounts = {
  TEXT_2_VIDEO: [0, 0],
  FIRST_AND_LAST_FRAMES_2_VIDEO: [1, 2],
  REFERENCE_2_VIDEO: [1, 3],
} as const;

export const CreateVideoBody = z
  .strictObject({
    prompt: z.string().trim().min(1, 'prompt must not be empty').max(5000),
    model: Model.default('veo3_fast'),
    generationType: z.enum(['TEXT_2_VIDEO', 'FIRST_AND_LAST_FRAMES_2_VIDEO', 'REFERENCE_2_VIDEO']).optional(),
    imageUrls: z
      .array(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }))
      .max(3)
      .default([]),
    aspectRatio: z
      .enum(['16:9', '9:16', 'Auto'], { error: 'must be one of 16:9, 9:16, Auto (KIE has no 1:1)' })
      .default('16:9'),
    seed: z.int().min(10000).max(99999).optional(),
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
  })
  .transform((b, ctx): VideoRequest => {
    const generationType =
      b.generationType ?? (b.imageUrls.length ? 'FIRST_AND_LAST_FRAMES_2_VIDEO' : 'TEXT_2_VIDEO');
    const [min, max] = imageCounts[generationType];
    if (b.imageUrls.length < min || b.imageUrls.length > max) {
      ctx.addIssue({
        code: 'custom',
        path: ['imageUrls'],
        message: `${generationType} takes ${min === max ? min : `${min} to ${max}`} image URLs, got ${b.imageUrls.length}`,
      });
    }
    if (generationType === 'REFERENCE_2_VIDEO') {
      if (b.model === 'veo3')
        ctx.addIssue({
          code: 'custom',
          path: ['model'],
          message: 'REFERENCE_2_VIDEO needs veo3_fast or veo3_lite',
        });
      if (b.aspectRatio !== '16:9')
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
    };
  });

export const ArchivedFileSchema = z.object({
  variant: z.enum(['original', '1080p']),
  size: z.int(),
  sha256: z.string(),
  contentType: z.string(),
  url: z.string().meta({ description: 'Download through the API (range requests supported)' }),
});

export const JobSchema = z.object({
  id: z.string(),
  state: JobStateSchema,
  model: Model,
  prompt: z.string(),
  price: z.int().meta({
    description:
      "Credits held when the job started: the model's price, plus the 1080p price when hd was asked",
  }),
  charged: z
    .int()
    .nullable()
    .meta({
      description:
        'Credits charged once the job succeeded: the price, less the 1080p part when no 1080p was delivered. ' +
        'Null until then, and for jobs that did not succeed (their hold was released).',
    }),
  kieTaskId: z.string().nullable(),
  detection: z
    .object({ channel: z.enum(['callback', 'poll']), at: z.string(), kieCompletedAt: z.string().nullable() })
    .nullable(),
  hd: z.enum(['not_requested', 'not_supported', 'pending', 'ready', 'unavailable']),
  hdNote: z.string().nullable(),
  files: z.array(ArchivedFileSchema),
  error: z.object({ source: z.string(), code: z.string(), message: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const JobListSchema = z.object({ data: z.array(JobSchema), nextCursor: z.string().nullable() });

export const ListQuery = z.object({
  state: JobStateSchema.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const JobIdParams = z.object({ id: z.string().min(1).max(100) });

export const ContentQuery = z.object({ variant: z.enum(['original', '1080p']).default('original') });

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

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

/** A documented problem+json response, for a route's `responses`. */
export const problem = (description: string) => ({
  description,
  schema: ProblemSchema,
  contentType: 'application/problem+json',
});

export const CreateUserBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  concurrencyCap: z.int().positive().optional(),
  dailySpendCap: z.int().positive().optional(),
  credits: z.int().nonnegative().optional().meta({ description: 'Initial grant' }),
});
export const UserSchema = z.object({ id: z.string(), name: z.string(), apiKey: z.string().optional() });
export const GrantBody = z.strictObject({
  amount: z.int().positive(),
  idempotencyKey: z.string().min(1).max(200),
  note: z.string().max(500).optional(),
});
export const BreakerBody = z.strictObject({ open: z.boolean(), reason: z.string().max(500).optional() });
export const UserIdParams = z.object({ userId: z.string().min(1).max(100) });
