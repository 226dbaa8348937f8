/** GET /openapi.json (OpenAPI 3.1, generated from the routes' zod schemas) and GET /docs (Swagger UI). */
import { z, type ZodType } from 'zod';
import { referencePage } from '../reference-ui.js';
import { SESSION_COOKIE } from '../auth.js';
import { defineRoute, type AnyRoute, type Auth } from '../route.js';

const USER: Array<Record<string, string[]>> = [{ apiKey: [] }, { session: [] }];
const SECURITY: Record<Auth, Array<Record<string, string[]>>> = {
  none: [],
  user: USER,
  // The signed link's `expires` and `sig` query parameters stand in for credentials.
  userOrSignedUrl: [...USER, {}],
  admin: [{ adminKey: [] }],
};

export function openApiDocument(routes: AnyRoute[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const parameters = [
      ...objectParams(r.params as ZodType | undefined, 'path'),
      ...objectParams(r.query as ZodType | undefined, 'query'),
      ...Object.entries(r.headers ?? {}).map(([name, h]) => ({
        name,
        in: 'header',
        required: h.required ?? false,
        description: h.description,
        schema: { type: 'string' },
      })),
    ];
    paths[path] ??= {};
    paths[path][r.method] = {
      summary: r.summary,
      tags: r.tags,
      security: SECURITY[r.auth],
      ...(parameters.length ? { parameters } : {}),
      ...(r.body && !(r.body instanceof z.ZodUnknown)
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(r.body as ZodType, 'input') } },
            },
          }
        : r.body
          ? { requestBody: { content: { 'application/json': { schema: {} } } } }
          : {}),
      responses: Object.fromEntries(
        Object.entries(r.responses).map(([status, resp]) => [
          status,
          {
            description: resp.description,
            ...(resp.schema || resp.contentType
              ? {
                  content: {
                    [resp.contentType ?? 'application/json']: {
                      schema: resp.schema ? jsonSchema(resp.schema, 'output') : {},
                    },
                  },
                }
              : {}),
          },
        ]),
      ),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Veo pipeline API',
      version: '1.0.0',
      description:
        'Durable AI video generation (KIE.ai Veo 3.1) with a credit ledger that charges exactly once.',
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'A user API key' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description:
            'The session cookie set by POST /v1/session (HttpOnly, SameSite=Lax); unsafe methods must come from the same origin',
        },
        adminKey: { type: 'http', scheme: 'bearer', description: 'The operator admin key (ADMIN_API_KEY)' },
      },
    },
    paths,
  };
}

function jsonSchema(schema: ZodType, io: 'input' | 'output') {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

function objectParams(schema: ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
  }));
}

export function docsRoutes(routes: AnyRoute[]): AnyRoute[] {
  const doc = (): ReturnType<typeof openApiDocument> => openApiDocument([...routes, ...self]);
  const self: AnyRoute[] = [
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      summary: 'This document',
      tags: ['docs'],
      auth: 'none',
      responses: { 200: { description: 'OpenAPI 3.1' } },
      handler: async () => ({ body: doc() }),
    }),
    defineRoute({
      method: 'get',
      path: '/docs',
      summary: 'The API reference (Swagger UI, rendering /openapi.json)',
      tags: ['docs'],
      auth: 'none',
      responses: { 200: { description: 'HTML', contentType: 'text/html' } },
      handler: async ({ res }) => {
        res.type('html').send(referencePage(doc().info.title));
        return undefined;
      },
    }),
  ];
  return self;
}
