/**
 * Routes declared as data — path, auth, zod schemas, responses, handler — so one declaration drives
 * validation at run time and the OpenAPI document (GET /openapi.json). Handlers get parsed input
 * and know nothing of how it was validated.
 */
import type { Request, RequestHandler, Response, Router } from 'express';
import type { z, ZodType } from 'zod';
import { HttpProblem, validationProblem } from './problem.js';
import { firstUnstorableText } from './well-formed-text.js';

/** `userOrSignedUrl`: a user, or a signed content link (src/api/content-auth.ts). */
export type Auth = 'user' | 'userOrSignedUrl' | 'admin' | 'none';

export interface ResponseSpec {
  description: string;
  schema?: ZodType;
  contentType?: string;
}

export interface RouteSpec<
  B extends ZodType = ZodType,
  Q extends ZodType = ZodType,
  P extends ZodType = ZodType,
> {
  method: 'get' | 'post' | 'delete' | 'put' | 'patch';
  /** Express path syntax (`/v1/videos/:id`); rendered as `{id}` in OpenAPI. */
  path: string;
  summary: string;
  tags: string[];
  auth: Auth;
  body?: B;
  query?: Q;
  params?: P;
  headers?: Record<string, { description: string; required?: boolean }>;
  responses: Record<number, ResponseSpec>;
  /** Returns a JSON body (status from `status`, default 200), or undefined after writing `res` itself. */
  handler: (input: {
    body: z.output<B>;
    query: z.output<Q>;
    params: z.output<P>;
    req: Request;
    res: Response;
  }) => Promise<{ status?: number; body: unknown; headers?: Record<string, string> } | undefined>;
}

// Each route keeps its own schema types; the registry only needs the common shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any>;

export function defineRoute<B extends ZodType, Q extends ZodType, P extends ZodType>(
  spec: RouteSpec<B, Q, P>,
) {
  return spec as AnyRoute;
}

export function mountRoutes(router: Router, routes: AnyRoute[], guards: Record<Auth, RequestHandler>): void {
  for (const route of routes) {
    router[route.method](route.path, guards[route.auth], async (req, res) => {
      const body = parse(route.body as ZodType | undefined, req.body ?? {}, 'body');
      const query = parse(route.query as ZodType | undefined, req.query, 'query');
      const params = parse(route.params as ZodType | undefined, req.params, 'params');
      const out = await route.handler({ body, query, params, req, res });
      if (!out) return;
      if (out.headers) res.set(out.headers);
      res.status(out.status ?? 200).json(out.body);
    });
  }
}

function parse(schema: ZodType | undefined, value: unknown, where: 'body' | 'query' | 'params'): unknown {
  const unstorable = firstUnstorableText(value);
  if (unstorable) {
    const field = unstorable.length ? unstorable.join('.') : where;
    const message = 'must be valid Unicode text without NUL characters';
    throw new HttpProblem(422, 'Unprocessable Content', `Invalid ${where}: ${field}: ${message}`, {
      errors: [{ field, message }],
    });
  }
  if (!schema) return value;
  const r = schema.safeParse(value);
  if (!r.success) throw validationProblem(r.error, where);
  return r.data;
}

export { HttpProblem };
