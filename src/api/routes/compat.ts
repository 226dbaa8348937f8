/**
 * The seed application's routes, so its front end can switch over without changes. Its field names
 * (aspectRatio or aspect_ratio, seeds, videoUrl, video1080pUrl) map onto the /v1 API; same auth.
 */
import { z } from 'zod';
import type { VideoService } from '../../services/videos.js';
import { isFinalState, type JobView } from '../../domain/index.js';
import { currentUser } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { defineRoute } from '../route.js';
import { CreateVideoBody, problem } from '../schemas.js';
import { createHeaders, createProblems, idempotencyKey } from './videos.js';

const v1 = CreateVideoBody.in.shape;

/**
 * The seed's body, field by field with the /v1 validators, so a bad field is reported under the name
 * the seed sent (`seeds`, `aspect_ratio`), then mapped onto the /v1 body for its cross-field rules.
 * Not strict: enhancePrompt and other seed-only fields are accepted and dropped (KIE has no such field).
 */
const SeedCreateBody = z
  .object({
    prompt: v1.prompt,
    model: v1.model,
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
  .transform(({ aspect_ratio, aspectRatio, seeds, ...rest }): z.input<typeof CreateVideoBody> => ({
    ...rest,
    ...((aspectRatio ?? aspect_ratio) ? { aspectRatio: aspectRatio ?? aspect_ratio } : {}),
    ...(seeds !== undefined ? { seed: seeds } : {}),
  }))
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
    success: !endedUnsuccessfully(job),
    jobId: job.id,
    taskId: job.kieTaskId,
    status: job.state,
    videoUrl: url('original'),
    video1080pUrl: url('1080p'),
    error: job.error?.message ?? null,
  };
}

const endedUnsuccessfully = (job: JobView) => job.state !== 'succeeded' && isFinalState(job.state);

/**
 * Why a job without an archived 1080p will never have one, or null while it still may. The seed's front
 * end polls this route until it stops answering 202: every dead end must get a final answer.
 */
function no1080p(job: JobView): HttpProblem | null {
  const extra = { jobId: job.id, state: job.state, hd: job.hd };
  if (endedUnsuccessfully(job)) {
    const why = job.error ? `: ${job.error.message}` : '';
    return new HttpProblem(
      409,
      'Conflict',
      `The job ended ${job.state}${why}; it has no 1080p version.`,
      extra,
    );
  }
  const gone = (detail: string) => new HttpProblem(404, 'Not Found', detail, extra);
  const note = job.hdNote ? ` (${job.hdNote})` : '';
  switch (job.hd) {
    case 'not_requested':
      return gone('No 1080p version was requested for this job (create it with "hd": true).');
    case 'not_supported':
      return gone(`KIE makes no 1080p version of this video${note}; the original is at videoUrl.`);
    case 'unavailable':
      return gone(`The 1080p version is unavailable${note}; the original is at videoUrl.`);
    default:
      return job.state === 'succeeded' ? gone('The job succeeded without a 1080p version.') : null;
  }
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
      headers: createHeaders,
      responses: {
        202: { description: 'Accepted: credits held, job running', schema: SeedJob },
        ...createProblems,
        422: problem('Invalid field (named as the seed sent it)'),
      },
      handler: async ({ body, req }) => {
        const job = await videos.create(currentUser(req).id, body, idempotencyKey(req));
        return { status: 202, body: seedView(job) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/jobs/:jobId',
      summary: 'Seed-app compatible: job status',
      tags: ['compat'],
      auth: 'user',
      params: z.object({ jobId: z.string().min(1).max(100) }),
      responses: {
        200: { description: 'The job', schema: SeedJob },
        404: problem('No such job for this user'),
      },
      handler: async ({ params, req }) => ({
        body: seedView(await videos.get(currentUser(req).id, params.jobId)),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/jobs/veo/:taskId/1080p',
      summary:
        'Seed-app compatible: the archived 1080p of a KIE task (202 while it may still come; 404/409 once it never will)',
      tags: ['compat'],
      auth: 'user',
      params: z.object({ taskId: z.string().min(1).max(200) }),
      responses: {
        200: { description: 'Ready: video1080pUrl is set', schema: SeedJob },
        202: { description: 'Still processing: ask again later', schema: SeedJob },
        404: problem(
          'No such task for this user, or the job has no 1080p and never will: not requested, not supported, or unavailable (the detail says which)',
        ),
        409: problem('The job failed, was canceled, timed out or was rejected: no 1080p'),
      },
      handler: async ({ params, req }) => {
        const job = await videos.byTaskId(currentUser(req).id, params.taskId);
        const view = seedView(job);
        if (view.video1080pUrl) return { status: 200, body: view };
        const final = no1080p(job);
        if (final) throw final;
        return { status: 202, body: view };
      },
    }),
  ];
}
