/**
 * The seed application's routes, so its front end switches over unchanged: its body, status words and
 * result fields (src/api/seed-contract.ts), same auth as /v1 (bearer key or the session cookie its
 * same-origin pages send).
 */
import { z } from 'zod';
import type { VideoService } from '../../services/videos.js';
import { currentUser } from '../auth.js';
import { defineRoute } from '../route.js';
import { problem } from '../schemas.js';
import { SEED_STATUS, Seed1080p, SeedCreateBody, SeedJob, seedView } from '../seed-contract.js';
import { createHeaders, createProblems, idempotencyKey } from './videos.js';

export function compatRoutes(videos: VideoService) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/generate/video',
      summary: 'Seed-app compatible: create a video job (answers { jobId, status, … })',
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
      summary:
        'Seed-app compatible: job status ({ status, outputs, … }; pending → processing → completed | failed)',
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
        'Seed-app compatible: the 1080p of a KIE task. A finished 16:9 job created without hd gets it on demand (PRICE_HD, charged once delivered): 202 { video1080pUrl: null, status } while it comes, 200 with the URL, or a final 4xx naming why',
      tags: ['compat'],
      auth: 'user',
      params: z.object({ taskId: z.string().min(1).max(200) }),
      responses: {
        200: { description: 'Ready: video1080pUrl is set', schema: Seed1080p },
        202: { description: 'Still processing (the video or its 1080p): ask again later', schema: Seed1080p },
        402: problem('Not enough credits for the 1080p (PRICE_HD): nothing held; ask again once topped up'),
        404: problem(
          'No such task for this user, or no 1080p and never will be: 9:16 or Auto video, fallback video, KIE refused, not ready in time (the detail says which)',
        ),
        409: problem('The job failed, was canceled, timed out or was rejected: no 1080p'),
        429: problem('Daily spend cap reached, or rate limited'),
        503: problem('Spend breaker open: the operator paused spending'),
      },
      handler: async ({ params, req }) => {
        const { job, hd } = await videos.hd1080(currentUser(req).id, params.taskId);
        const view = seedView(job);
        const body: z.infer<typeof Seed1080p> = {
          success: view.success,
          jobId: view.jobId,
          taskId: view.taskId,
          status: hd === 'ready' ? 'completed' : hd === 'processing' ? 'processing' : SEED_STATUS[job.state],
          video1080pUrl: hd === 'ready' ? view.video1080pUrl : null,
          videoUrl: view.videoUrl,
        };
        return { status: hd === 'ready' ? 200 : 202, body };
      },
    }),
  ];
}
