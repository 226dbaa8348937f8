/**
 * A job as its owner sees it: the body of GET /v1/videos/:id, of the list and of SSE events, what the
 * service returns and the CLI reads. One schema for all of them.
 */
import { z } from 'zod';
import {
  DetectionSchema,
  HdStateSchema,
  JobErrorSchema,
  JobStateSchema,
  ModelIdSchema,
  VariantSchema,
  type JobProgress,
  type JobRequest,
  type JobState,
  type ModelId,
} from './job.js';
import type { Variant } from './variants.js';
import { isMarketRequest, mediaKindOf } from './market-catalog.js';
import type { MarketMode } from './market-catalog.js';
import { MarketModeSchema, MediaKindSchema } from './market-models.js';

/** The stable API path of a job's file (its content route): in job views and in job events. */
export const contentPath = (jobId: string, variant: Variant) =>
  `/v1/videos/${encodeURIComponent(jobId)}/content?variant=${variant}`;

export const FileViewSchema = z.object({
  variant: VariantSchema,
  size: z.int(),
  sha256: z.string(),
  contentType: z.string(),
  url: z.string().meta({
    description:
      'Plays or downloads without credentials until expiresAt (a `<video src>`): a signed link to the content route (relative to the API), or with S3 a presigned URL (through the CDN when configured). Range requests work.',
  }),
  expiresAt: z.string().meta({ description: 'When url stops working; get the job again for a fresh one' }),
  path: z.string().meta({
    description: 'The stable API path of the file: needs the key or session (range requests supported)',
  }),
});
export type FileView = z.infer<typeof FileViewSchema>;

export const JobViewSchema = z.object({
  id: z.string(),
  state: JobStateSchema,
  model: ModelIdSchema,
  kind: MediaKindSchema.meta({ description: 'Whether the job makes images or a video' }),
  mode: MarketModeSchema,
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
        'Credits charged once the job succeeded: the price, less the 1080p part when no 1080p was delivered, ' +
        'plus PRICE_HD once a 1080p fetched on demand (the seed route) is delivered. ' +
        "A job canceled after KIE accepted its task is charged the model's price under CANCEL_AFTER_SUBMIT=charge-model " +
        '(the default). Null until the job ends, and for jobs whose hold was released.',
    }),
  kieTaskId: z.string().nullable(),
  detection: DetectionSchema.nullable(),
  hd: HdStateSchema,
  hdNote: z.string().nullable(),
  files: z.array(FileViewSchema),
  error: JobErrorSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable().meta({ description: 'When the job ended (null while it runs)' }),
});
export type JobView = z.infer<typeof JobViewSchema>;

export const JobListViewSchema = z.object({
  data: z.array(JobViewSchema),
  nextCursor: z.string().nullable(),
});
export type JobListView = z.infer<typeof JobListViewSchema>;

/**
 * What a view is made of: a job's record as the ledger keeps it (described here by shape, since the
 * domain imports nothing above it).
 */
export interface JobViewSource {
  id: string;
  state: JobState;
  model: ModelId;
  request: JobRequest;
  price: number;
  charged: number | null;
  kieTaskId: string | null;
  progress: JobProgress | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

/**
 * A job's view from its record, each archived file already presented by the caller (with a playable
 * link for the API; without one in a job event, whose body must not change between deliveries).
 */
export function jobViewOf<F>(record: JobViewSource, files: F[]): Omit<JobView, 'files'> & { files: F[] } {
  // The record mirrors the workflow at every stage and becomes final in the capture/release
  // transaction; its progress snapshot holds what the workflow knew.
  const progress: Partial<JobProgress> = record.progress ?? {};
  return {
    id: record.id,
    state: record.state,
    model: record.model,
    kind: mediaKindOf(record.request),
    mode: modeOf(record.request),
    prompt: record.request.prompt,
    price: record.price,
    charged: record.charged,
    kieTaskId: progress.kieTaskId ?? record.kieTaskId ?? null,
    detection: progress.detection ?? null,
    hd: progress.hd ?? (!isMarketRequest(record.request) && record.request.hd ? 'pending' : 'not_requested'),
    hdNote: progress.hdNote ?? null,
    files,
    error: progress.error ?? null,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    finishedAt: record.finishedAt?.toISOString() ?? null,
  };
}

/** A Market request's mode; a Veo one's, from its generation type (any images make it image-to-video). */
function modeOf(request: JobRequest): MarketMode {
  if (isMarketRequest(request)) return request.mode;
  return request.generationType === 'TEXT_2_VIDEO' ? 'text-to-video' : 'image-to-video';
}
