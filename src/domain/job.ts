/**
 * The job vocabulary, defined once: what a video request is, the states a job moves through, why one
 * is refused, where one fails, and what it produces. Zod schemas, with the types derived from them.
 * Imported by the workflow too (types only today): keep this file deterministic, no Node built-ins.
 */
import { z } from 'zod';
import { VARIANT_PATTERN, type Variant } from './variants.js';
import { MarketModelSchema, MarketRequestSchema } from './market-models.js';

export const VeoModelSchema = z
  .enum(['veo3', 'veo3_fast', 'veo3_lite'])
  .meta({ description: 'Veo 3.1 Quality, Fast or Lite' });
export type VeoModel = z.infer<typeof VeoModelSchema>;

export const GenerationTypeSchema = z.enum([
  'TEXT_2_VIDEO',
  'FIRST_AND_LAST_FRAMES_2_VIDEO',
  'REFERENCE_2_VIDEO',
]);
export type GenerationType = z.infer<typeof GenerationTypeSchema>;

/** KIE has no 1:1. */
export const AspectRatioSchema = z.enum(['16:9', '9:16', 'Auto']);
export type AspectRatio = z.infer<typeof AspectRatioSchema>;

/** A validated generation request (the API's body schema produces it). Never holds secrets. */
export const VideoRequestSchema = z.object({
  prompt: z.string(),
  model: VeoModelSchema,
  generationType: GenerationTypeSchema,
  imageUrls: z.array(z.string()),
  aspectRatio: AspectRatioSchema,
  seed: z.int().optional(),
  watermark: z.string().optional(),
  enableTranslation: z.boolean(),
  hd: z.boolean(),
  /**
   * Where to POST the job's end (src/domain/job-event.ts), signed as Standard Webhooks do; absent = the
   * user's default, if any. Part of the request: an Idempotency-Key reused with another URL is a 409.
   */
  webhookUrl: z.string().optional(),
});
export type VideoRequest = z.infer<typeof VideoRequestSchema>;

/** Every model we sell: Veo's (KIE's Veo API) and the Market ones (src/domain/market-models.ts). */
export const ModelIdSchema = z.enum([...VeoModelSchema.options, ...MarketModelSchema.options]);
export type ModelId = z.infer<typeof ModelIdSchema>;

/** What a job was asked to make: a Veo video, or a Market model's images or video. */
export const JobRequestSchema = z.union([VideoRequestSchema, MarketRequestSchema]);
export type JobRequest = z.infer<typeof JobRequestSchema>;

/** A job's states, in the order a successful job enters them; the last five are final. */
export const JobStateSchema = z.enum([
  'reserving',
  // Credits held, waiting for one of KIE's generation slots (KIE_GENERATIONS_PER_10S across workers).
  'queued',
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
export type JobState = z.infer<typeof JobStateSchema>;

export const FINAL_STATES = [
  'succeeded',
  'rejected',
  'failed',
  'canceled',
  'timed_out',
] as const satisfies readonly JobState[];
export type FinalState = (typeof FINAL_STATES)[number];

export const isFinalState = (state: JobState): state is FinalState =>
  (FINAL_STATES as readonly JobState[]).includes(state);

/** Why a job was refused before anything was spent (its state is then `rejected`). */
export const RejectionReasonSchema = z.enum([
  'insufficient_credits',
  'concurrency_cap',
  'daily_cap',
  'breaker_open',
]);
export type RejectionReason = z.infer<typeof RejectionReasonSchema>;

/** What each rejection reason means, for people (docs, CLI). */
export const REJECTION_MEANING: Readonly<Record<RejectionReason, string>> = {
  insufficient_credits: "the user's available credits do not cover the price",
  concurrency_cap: 'the user already has as many jobs holding credits as allowed',
  daily_cap: "the price would take the user's credits reserved today past the daily cap",
  breaker_open:
    "the spend breaker is open (an operator, a KIE 402, or KIE's balance below the low-water mark): no new generations",
};

export const isRejectionReason = (code: unknown): code is RejectionReason =>
  RejectionReasonSchema.safeParse(code).success;

/**
 * Where a job failed: 'kie' (KIE said no), 'archive', 'deadline', 'canceled', 'internal', or 'operator'
 * (its workflow was terminated, timed out or lost, and the reconciler settled the job; the code says
 * which). A rejected job's error has a RejectionReason as its code.
 */
export const ErrorSourceSchema = z.enum(['kie', 'archive', 'deadline', 'canceled', 'internal', 'operator']);
export type ErrorSource = z.infer<typeof ErrorSourceSchema>;

export const JobErrorSchema = z.object({ source: ErrorSourceSchema, code: z.string(), message: z.string() });
export type JobError = z.infer<typeof JobErrorSchema>;

/** A file's variant (src/domain/variants.ts). Typed as the template-literal type the pattern admits. */
export const VariantSchema = z
  .string()
  .regex(VARIANT_PATTERN, 'must be original, 1080p or original-2 … original-16')
  .meta({
    description: 'original, 1080p, or original-2 … original-16 (further results of a Market task)',
  }) as unknown as z.ZodType<Variant, string>;

/** The 1080p version's fate: not asked for, impossible (aspect Auto, legacy task), awaited, archived, given up. */
export const HdStateSchema = z.enum(['not_requested', 'not_supported', 'pending', 'ready', 'unavailable']);
export type HdState = z.infer<typeof HdStateSchema>;

/** How the end of generation was noticed: KIE's callback or our polling. */
export const DetectionChannelSchema = z.enum(['callback', 'poll']);
export type DetectionChannel = z.infer<typeof DetectionChannelSchema>;

export const DetectionSchema = z.object({
  channel: DetectionChannelSchema,
  at: z.string(),
  kieCompletedAt: z.string().nullable(),
});
export type Detection = z.infer<typeof DetectionSchema>;

/** A file in storage: the job's record keeps these; `key` never leaves the service. */
export const ArchivedFileSchema = z.object({
  variant: VariantSchema,
  key: z.string(),
  size: z.int(),
  sha256: z.string(),
  contentType: z.string(),
});
export type ArchivedFile = z.infer<typeof ArchivedFileSchema>;

/** Live progress, kept by the workflow (its `progress` query) and mirrored into the job record. */
export const JobProgressSchema = z.object({
  jobId: z.string(),
  state: JobStateSchema,
  kieTaskId: z.string().nullable(),
  detection: DetectionSchema.nullable(),
  hd: HdStateSchema,
  hdNote: z.string().nullable(),
  files: z.array(ArchivedFileSchema),
  error: JobErrorSchema.nullable(),
  /** When each state was entered, in order: stage durations for metrics and for the job's record. */
  stages: z.array(z.object({ state: JobStateSchema, at: z.string() })),
  /** Callbacks received, including duplicates and foreign ones (which change nothing). */
  callbacks: z.object({ received: z.int(), ignored: z.int() }),
  updatedAt: z.string(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

/** The answer to "hold the credits for this job": held, or refused with a reason. */
export type ReservationResult = { ok: true } | { ok: false; reason: RejectionReason; message: string };
