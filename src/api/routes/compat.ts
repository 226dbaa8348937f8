/**
 * The seed application's routes, so its front end can switch over without changes. Its field names
 * (aspectRatio, seeds, enhancePrompt, videoUrl, video1080pUrl) map onto the /v1 API; same auth.
 */
import { z } from 'zod';
import type { VideoService, JobView } from '../../services/videos.js';
import { currentUser } from '../auth.js';
import { defineRoute } from '../route.js';
import { CreateVideoBody } from '../schemas.js';

const SeedCreateBody = z
  .object({
    prompt: z.unknown(),
    model: z.unknown().optional(),
    generationType: z.unknown().optional(),
    imageUrls: z.unknown().optional(),
    aspectRatio: z.unknown().optional(),
    aspect_ratio: z.unknown().optional(),
    seeds: z.unknown().optional(),
    watermark: z.unknown().optional(),
    enableTranslation: z.unknown().optional(),
    hd: z.unknown().optional(),
  })
  // enhancePrompt and other seed-only fields are accepted and ignored (KIE has no such field).
  .transform(({ aspect_ratio, aspectRatio, seeds, ...rest }) =>
    Object.fromEntries(
      Object.entries({ ...rest, aspectRatio: aspectRatio ?? aspect_ratio, seed: seeds }).filter(
        ([, v]) => v !== undefined,
      ),
    ),
  )
  .pipe(CreateVideoBody);

const SeedJob = z.object({
  success: z.boolean(),
  jobId: z.string(),
  taskId: z.string().nullable(),
  status: z.string(),
  videoUrl: z.string().nullable(),
  video1080pUrl: z.string().nullable(),
  error: z.string().nullable(),
});

function seedView(job: JobView) {
  const url = (variant: string) => job.files.find((f) => f.variant === variant)?.url ?? null;
  return {
    success:
      job.state !== 'failed' &&
      job.state !== 'rejected' &&
      job.state !== 'timed_out' &&
      job.state !== 'canceled',
    jobId: job.id,
    taskId: job.kieTaskId,
    status: job.state,
    videoUrl: url('original'),
    video1080pUrl: url('1080p'),
    error: job.error?.message ?? null,
  };
}

export function compatRoutes(videos: VideoService) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/generate/video',
      summary: 'Seed-app compatible: create a video job',
      tags: ['compat'],
      auth: 'user',
      body: SeedCreateBody,
      responses: { 202: { description: 'Accepted', schema: SeedJob } },
      handler: async ({ body, req }) => {
        const { status, job } = await videos.create(currentUser(req).id, body, req.get('idempotency-key'));
        return { status, body: seedView(job) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/jobs/:jobId',
      summary: 'Seed-app compatible: job status',
      tags: ['compat'],
      auth: 'user',
      params: z.object({ jobId: z.string().min(1).max(100) }),
      responses: { 200: { description: 'The job', schema: SeedJob } },
      handler: async ({ params, req }) => ({
        body: seedView(await videos.get(currentUser(req).id, params.jobId)),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/jobs/veo/:taskId/1080p',
      summary: 'Seed-app compatible: the archived 1080p of a KIE task (202 while it is being fetched)',
      tags: ['compat'],
      auth: 'user',
      params: z.object({ taskId: z.string().min(1).max(200) }),
      responses: {
        200: { description: 'Ready', schema: SeedJob },
        202: { description: 'Still processing', schema: SeedJob },
      },
      handler: async ({ params, req }) => {
        const job = seedView(await videos.byTaskId(currentUser(req).id, params.taskId));
        return { status: job.video1080pUrl ? 200 : 202, body: job };
      },
    }),
  ];
}
