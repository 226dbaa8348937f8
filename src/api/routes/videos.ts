/**
 * /v1/videos: create, read, list, cancel, follow (SSE), download (range requests) — the routes of
 * every job, the Market models' included; POST /v1/images creates image jobs, read here too.
 */
import { z } from 'zod';
import type { Request } from 'express';
import { contentPath, isFinalState, type JobRequest } from '../../domain/index.js';
import { currentUser } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { defineRoute } from '../route.js';
import {
  ContentQuery,
  CreateImageBody,
  CreateVideoBody,
  JobIdParams,
  JobListSchema,
  JobSchema,
  ListQuery,
  problem,
} from '../schemas.js';
import type { VideoService } from '../../services/videos.js';
import { signedJob } from '../content-auth.js';
import { requestedRange, sendBytes } from '../http/range.js';
import { fileName } from '../../services/content-links.js';
import type { EventStreams } from '../http/event-streams.js';

const IdempotencyKey = z.string().min(1).max(200);

/** What every create route shares (POST /v1/videos and the seed's POST /api/generate/video). */
export const createHeaders = {
  'Idempotency-Key': { description: 'Same key → same job; a different body with the same key → 409' },
};
export const createProblems = {
  402: problem('Not enough credits'),
  409: problem('Idempotency-Key reused with a different body'),
  422: problem('Invalid field'),
  429: problem('Concurrency or daily cap reached, or rate limited'),
  503: problem('Spend breaker open: the operator paused generation'),
};

/** The request's Idempotency-Key, if any; 422 when it is empty or too long. */
export function idempotencyKey(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key !== undefined && !IdempotencyKey.safeParse(key).success) {
    throw new HttpProblem(422, 'Unprocessable Content', 'Idempotency-Key must be 1 to 200 characters.', {
      errors: [{ field: 'Idempotency-Key', message: 'must be 1 to 200 characters' }],
    });
  }
  return key;
}

/** Where a job's archived file is downloaded: the route below (its path is the domain's). */
export { contentPath };

export function videoRoutes(videos: VideoService, events: EventStreams) {
  /** A create route: its body produces a job request; every job lives at /v1/videos/{id}. */
  const createRoute = (path: string, summary: string, body: z.ZodType<JobRequest, unknown>) =>
    defineRoute({
      method: 'post',
      path,
      summary,
      tags: ['videos'],
      auth: 'user',
      body,
      headers: createHeaders,
      responses: {
        202: { description: 'Accepted: credits held, job running', schema: JobSchema },
        ...createProblems,
      },
      handler: async ({ body: request, req }) => {
        const job = await videos.create(currentUser(req).id, request, idempotencyKey(req));
        return { status: 202, body: job, headers: { location: `/v1/videos/${job.id}` } };
      },
    });

  return [
    createRoute(
      '/v1/videos',
      'Create a video job — Veo 3.1, or a Market video model (Kling 2.6, Sora 2) — credits are held at once; 402/429 if not',
      CreateVideoBody,
    ),
    createRoute(
      '/v1/images',
      'Create an image job (Nano Banana, Imagen 4): credits held at once; the job is then read, followed, downloaded and canceled at /v1/videos/{id}',
      CreateImageBody,
    ),
    defineRoute({
      method: 'get',
      path: '/v1/videos',
      summary: "List the caller's videos, newest first",
      tags: ['videos'],
      auth: 'user',
      query: ListQuery,
      responses: { 200: { description: 'A page of jobs', schema: JobListSchema } },
      handler: async ({ query, req }) => ({ body: await videos.list(currentUser(req).id, query) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/videos/:id',
      summary: 'Get a video job',
      tags: ['videos'],
      auth: 'user',
      params: JobIdParams,
      responses: {
        200: { description: 'The job', schema: JobSchema },
        404: problem('No such job for this user'),
      },
      handler: async ({ params, req }) => ({ body: await videos.get(currentUser(req).id, params.id) }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/videos/:id/cancel',
      summary: 'Cancel a running job (its credits are released)',
      tags: ['videos'],
      auth: 'user',
      params: JobIdParams,
      responses: {
        202: { description: 'Cancellation requested', schema: JobSchema },
        404: problem('No such job'),
        409: problem('Job already ended'),
        503: problem('The job is still being started by another API process: cancel again after Retry-After'),
      },
      handler: async ({ params, req }) => ({
        status: 202,
        body: await videos.cancel(currentUser(req).id, params.id),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/videos/:id/events',
      summary:
        'Server-sent events: the job now, then one `progress` event per change, until it ends (`end`). Each event has an id; a stream is ended after SSE_MAX_STREAM_SECONDS and resumes with `Last-Event-ID` (EventSource reconnects by itself)',
      tags: ['videos'],
      auth: 'user',
      params: JobIdParams,
      headers: {
        'Last-Event-ID': {
          description: 'Resume: the current state is sent with the next id, then the changes',
        },
      },
      responses: {
        200: {
          description: 'text/event-stream of JobSchema payloads',
          contentType: 'text/event-stream',
          schema: JobSchema,
        },
        404: problem('No such job for this user'),
        429: problem('Too many open event streams for this user (SSE_MAX_STREAMS_PER_USER), or rate limited'),
      },
      handler: async ({ params, req, res }) => {
        const userId = currentUser(req).id;
        await events.follow(req, res, {
          owner: userId,
          key: `${userId}/${params.id}`,
          first: await videos.get(userId, params.id), // 404 before any byte is sent
          read: () => videos.get(userId, params.id),
          fingerprint: (job) => `${job.state}|${job.hd}|${job.files.length}|${job.updatedAt}`,
          isFinal: (job) => isFinalState(job.state),
          end: (job) => ({ state: job.state }),
          event: 'progress',
        });
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/videos/:id/content',
      summary:
        'Download an archived file (Range requests supported): with the key or session, or with the signed link of a job view (`expires` and `sig`, no credentials)',
      tags: ['videos'],
      auth: 'userOrSignedUrl',
      params: JobIdParams,
      query: ContentQuery,
      responses: {
        200: { description: 'The file: an MP4, or a PNG, JPEG or WebP image', contentType: 'video/mp4' },
        206: { description: 'A byte range of the file', contentType: 'video/mp4' },
        401: problem('No credentials and no signed link'),
        403: problem('The signed link expired or its signature does not match'),
        404: problem('No such job or file'),
        416: problem('Range not satisfiable'),
      },
      handler: async ({ params, query, req, res }) => {
        const signedJobId = signedJob(req);
        const access = signedJobId ? { signedJobId } : { userId: currentUser(req).id };
        const [id, variant] = [params.id, query.variant];
        const download = await videos.download(access, id, variant, requestedRange(req, res));
        await sendBytes(res, {
          size: download.file.size,
          range: download.range,
          body: download.body,
          headers: {
            'content-type': download.file.contentType,
            etag: `"${download.file.sha256}"`,
            'content-disposition': `inline; filename="${fileName(id, variant, download.file.contentType)}"`,
          },
        });
        return undefined;
      },
    }),
  ];
}
