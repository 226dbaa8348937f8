/** /v1/videos: create, read, list, cancel, follow (SSE), download (range requests). */
import { z } from 'zod';
import type { Request, Response } from 'express';
import { isFinalState, type Variant } from '../../domain/index.js';
import { currentUser } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { defineRoute } from '../route.js';
import {
  ContentQuery,
  CreateVideoBody,
  JobIdParams,
  JobListSchema,
  JobSchema,
  ListQuery,
  problem,
} from '../schemas.js';
import type { ContentAccess, VideoService } from '../../services/videos.js';
import { signedJob } from '../content-auth.js';

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

/** Where a job's archived file is downloaded: the route below. */
export const contentPath = (jobId: string, variant: Variant) =>
  `/v1/videos/${encodeURIComponent(jobId)}/content?variant=${variant}`;

export function videoRoutes(videos: VideoService) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/videos',
      summary: 'Create a video job (credits are held at once; 402/429 if not)',
      tags: ['videos'],
      auth: 'user',
      body: CreateVideoBody,
      headers: createHeaders,
      responses: {
        202: { description: 'Accepted: credits held, job running', schema: JobSchema },
        ...createProblems,
      },
      handler: async ({ body, req }) => {
        const job = await videos.create(currentUser(req).id, body, idempotencyKey(req));
        return { status: 202, body: job, headers: { location: `/v1/videos/${job.id}` } };
      },
    }),
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
      },
      handler: async ({ params, req }) => ({
        status: 202,
        body: await videos.cancel(currentUser(req).id, params.id),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/videos/:id/events',
      summary: 'Server-sent events: one `progress` event per state change, until the job ends',
      tags: ['videos'],
      auth: 'user',
      params: JobIdParams,
      responses: {
        200: {
          description: 'text/event-stream of JobSchema payloads',
          contentType: 'text/event-stream',
          schema: JobSchema,
        },
      },
      handler: async ({ params, req, res }) => {
        await streamEvents(videos, currentUser(req).id, params.id, req, res);
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
        200: { description: 'The MP4', contentType: 'video/mp4' },
        206: { description: 'A byte range of the MP4', contentType: 'video/mp4' },
        401: problem('No credentials and no signed link'),
        403: problem('The signed link expired or its signature does not match'),
        404: problem('No such job or file'),
        416: problem('Range not satisfiable'),
      },
      handler: async ({ params, query, req, res }) => {
        const signedJobId = signedJob(req);
        const access = signedJobId ? { signedJobId } : { userId: currentUser(req).id };
        await sendContent(videos, access, params.id, query.variant, req, res);
        return undefined;
      },
    }),
  ];
}

async function streamEvents(
  videos: VideoService,
  userId: string,
  jobId: string,
  req: Request,
  res: Response,
) {
  let job = await videos.get(userId, jobId); // 404 before any byte is sent
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  let closed = false;
  req.on('close', () => (closed = true));
  let last = '';
  let id = 0;
  for (;;) {
    const fingerprint = `${job.state}|${job.hd}|${job.files.length}`;
    if (fingerprint !== last) {
      last = fingerprint;
      res.write(`id: ${++id}\nevent: progress\ndata: ${JSON.stringify(job)}\n\n`);
    }
    if (isFinalState(job.state) || closed) break;
    await new Promise((r) => setTimeout(r, 250));
    job = await videos.get(userId, jobId);
  }
  if (!closed) res.write(`event: end\ndata: ${JSON.stringify({ state: job.state })}\n\n`);
  res.end();
}

async function sendContent(
  videos: VideoService,
  access: ContentAccess,
  jobId: string,
  variant: 'original' | '1080p',
  req: Request,
  res: Response,
) {
  const file = await videos.stat(access, jobId, variant);
  if (!file) throw new HttpProblem(404, 'Not Found', `The ${variant} file of this video was not found.`);
  const range = parseRange(req.get('range'), file.size);
  if (range === 'invalid') {
    res.setHeader('content-range', `bytes */${file.size}`);
    throw new HttpProblem(416, 'Range Not Satisfiable', `Valid byte ranges are 0-${file.size - 1}.`);
  }
  const stored = await videos.content(access, jobId, variant, range ?? undefined);
  const headers: Record<string, string> = {
    'content-type': 'video/mp4',
    'accept-ranges': 'bytes',
    etag: `"${file.sha256}"`,
    'content-disposition': `inline; filename="${jobId}-${variant}.mp4"`,
  };
  if (range) {
    const end = range.end ?? file.size - 1;
    res.writeHead(206, {
      ...headers,
      'content-range': `bytes ${range.start}-${end}/${file.size}`,
      'content-length': String(end - range.start + 1),
    });
  } else {
    res.writeHead(200, { ...headers, 'content-length': String(file.size) });
  }
  stored.body.pipe(res);
  await new Promise<void>((resolve) => res.on('close', resolve));
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; multi-range requests get the whole file. */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | 'invalid' {
  if (!header) return null;
  const m = header.match(/^bytes=(\d*)-(\d*)$/);
  if (!m) return null;
  const [, a, b] = m;
  let start: number;
  let end: number;
  if (a === '') {
    const n = Number(b);
    if (!n) return 'invalid';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start >= size || start > end) return 'invalid';
  return { start, end };
}
