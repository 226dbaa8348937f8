/**
 * The seed application's contract (its front end's calls, see the README's "Seed application"
 * section): its model names, its `mode` + `referenceImage`, its status words and result fields,
 * mapped onto ours in one place. The routes are in routes/compat.ts.
 */
import { z } from 'zod';
import { VeoModelSchema, type JobState, type JobView } from '../domain/index.js';
import { VeoVideoBody } from './schemas.js';

/** The seed's model names → KIE's. Our own names (veo3, veo3_fast, veo3_lite) are accepted too. */
export const SEED_MODELS = { 'veo-3.1-quality': 'veo3', 'veo-3.1-fast': 'veo3_fast' } as const;

/**
 * Our job states in the seed's words: its records go pending → processing → completed | failed.
 * pending: accepted, not yet generating at KIE; processing: KIE generating, 1080p, archiving;
 * completed: archived, `outputs` playable; failed: every other end (failed, timed out, canceled, or
 * refused before it started).
 */
export const SEED_STATUS: Record<JobState, SeedStatus> = {
  reserving: 'pending',
  queued: 'pending',
  submitting: 'pending',
  generating: 'processing',
  fetching_hd: 'processing',
  archiving: 'processing',
  succeeded: 'completed',
  rejected: 'failed',
  failed: 'failed',
  canceled: 'failed',
  timed_out: 'failed',
};
export type SeedStatus = 'pending' | 'processing' | 'completed' | 'failed';
const SeedStatusSchema = z.enum(['pending', 'processing', 'completed', 'failed']);

const v1 = VeoVideoBody.in.shape;
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/**
 * The seed's body, field by field with the /v1 validators, so a bad field is reported under the name
 * the seed sent (`referenceImage`, `seeds`, `aspect_ratio`), then mapped onto the /v1 body for its
 * cross-field rules. `mode: 'i2v'` with one `referenceImage` is image to video from that first frame
 * (FIRST_AND_LAST_FRAMES_2_VIDEO); an image with `t2v` (or without a mode) and `i2v` without one are
 * refused rather than guessed at — a dropped image would run, and be charged, as text to video.
 * Not strict: enhancePrompt and other seed-only fields are accepted and dropped (KIE has no such field).
 */
export const SeedCreateBody = z
  .object({
    prompt: v1.prompt,
    model: z
      .enum([...(Object.keys(SEED_MODELS) as Array<keyof typeof SEED_MODELS>), ...VeoModelSchema.options], {
        error: `must be one of ${[...Object.keys(SEED_MODELS), ...VeoModelSchema.options].join(', ')}`,
      })
      .optional()
      .meta({ description: 'veo-3.1-quality (= veo3), veo-3.1-fast (= veo3_fast), or our names' }),
    mode: z
      .enum(['t2v', 'i2v'], { error: 'must be t2v (text to video) or i2v (image to video)' })
      .optional()
      .meta({ description: 't2v: text to video; i2v: image to video from referenceImage' }),
    referenceImage: httpUrl
      .optional()
      .meta({ description: "i2v only: the image URL the video starts from (KIE's first frame)" }),
    generationType: v1.generationType,
    imageUrls: v1.imageUrls,
    // No defaults on the two spellings: the /v1 body applies 16:9 when neither is sent.
    aspectRatio: v1.aspectRatio.unwrap().optional(),
    aspect_ratio: v1.aspectRatio.unwrap().optional().meta({ description: 'Same as aspectRatio' }),
    seeds: v1.seed,
    watermark: v1.watermark,
    enableTranslation: v1.enableTranslation,
    hd: v1.hd,
  })
  .transform(
    (
      { aspect_ratio, aspectRatio, seeds, model, mode, referenceImage, ...rest },
      ctx,
    ): z.input<typeof VeoVideoBody> => {
      const issue = (path: string, message: string) => {
        ctx.addIssue({ code: 'custom', path: [path], message });
        return z.NEVER;
      };
      const images = rest.imageUrls ?? [];
      if (referenceImage && mode !== 'i2v')
        return issue(
          'referenceImage',
          `referenceImage goes with mode "i2v" (image to video), not ${mode ? `"${mode}"` : 'no mode'}`,
        );
      if (referenceImage && images.length)
        return issue('referenceImage', 'send the image as referenceImage or in imageUrls, not both');
      if (mode === 'i2v' && !referenceImage && !images.length)
        return issue('referenceImage', 'mode "i2v" (image to video) needs a referenceImage URL');
      if (mode === 't2v' && images.length)
        return issue('imageUrls', 'mode "t2v" (text to video) takes no images');
      if (mode && rest.generationType && (rest.generationType === 'TEXT_2_VIDEO') !== (mode === 't2v'))
        return issue('generationType', `${rest.generationType} contradicts mode "${mode}"`);
      return {
        ...rest,
        ...(model
          ? { model: model in SEED_MODELS ? SEED_MODELS[model as keyof typeof SEED_MODELS] : model }
          : {}),
        ...(referenceImage
          ? {
              imageUrls: [referenceImage],
              generationType: rest.generationType ?? 'FIRST_AND_LAST_FRAMES_2_VIDEO',
            }
          : {}),
        ...(mode === 't2v' ? { generationType: 'TEXT_2_VIDEO' as const } : {}),
        ...((aspectRatio ?? aspect_ratio) ? { aspectRatio: aspectRatio ?? aspect_ratio } : {}),
        ...(seeds !== undefined ? { seed: seeds } : {}),
      } as z.input<typeof VeoVideoBody>;
    },
  )
  .pipe(VeoVideoBody);

const playable =
  'playable with no header until it expires (a signed link relative to the API, or a presigned URL)';

export const SeedJob = z.object({
  success: z.boolean().meta({ description: 'false once the job failed' }),
  jobId: z.string(),
  taskId: z.string().nullable().meta({ description: "KIE's task id (for the 1080p route), once submitted" }),
  status: SeedStatusSchema.meta({ description: 'pending → processing → completed | failed' }),
  state: z.string().meta({ description: 'Our finer state (see /v1/videos)' }),
  outputs: z.array(z.string()).meta({ description: `The archived videos, original first: ${playable}` }),
  result_urls: z.array(z.string()).meta({ description: 'Same as outputs (the name the seed records use)' }),
  videoUrl: z.string().nullable(),
  video1080pUrl: z.string().nullable(),
  error: z.string().nullable(),
  completed_at: z.string().nullable().meta({ description: 'When the job ended' }),
});

export function seedView(job: JobView) {
  const url = (variant: string) => job.files.find((f) => f.variant === variant)?.url ?? null;
  const outputs = [...job.files].sort((a) => (a.variant === 'original' ? -1 : 1)).map((f) => f.url);
  const status = SEED_STATUS[job.state];
  return {
    success: status !== 'failed',
    jobId: job.id,
    taskId: job.kieTaskId,
    status,
    state: job.state,
    outputs,
    result_urls: outputs,
    videoUrl: url('original'),
    video1080pUrl: url('1080p'),
    error: job.error?.message ?? null,
    completed_at: job.finishedAt,
  } satisfies z.infer<typeof SeedJob>;
}

export const Seed1080p = z.object({
  success: z.boolean(),
  jobId: z.string(),
  taskId: z.string().nullable(),
  status: SeedStatusSchema.meta({
    description:
      "The 1080p's status: completed (video1080pUrl set), processing (being fetched), or the video's own while it is still being made",
  }),
  video1080pUrl: z
    .string()
    .nullable()
    .meta({ description: `The 1080p, ${playable}` }),
  videoUrl: z.string().nullable(),
});
