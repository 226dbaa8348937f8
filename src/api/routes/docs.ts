/** GET /openapi.json (OpenAPI 3.1, generated from the routes' zod schemas) and GET /docs. */
import { z, type ZodType } from 'zod';
import { defineRoute, type AnyRoute } from '../route.js';

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
      ...(r.auth === 'none'
        ? { security: [] }
        : { security: [{ [r.auth === 'admin' ? 'adminKey' : 'apiKey']: [] }] }),
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
      summary: 'Human-readable API reference',
      tags: ['docs'],
      auth: 'none',
      responses: { 200: { description: 'HTML', contentType: 'text/html' } },
      handler: async ({ res }) => {
        res.type('html').send(renderDocs(doc()));
        return undefined;
      },
    }),
  ];
  return self;
}

/** A dependency-free page: every route with its summary, auth, parameters and schemas. */
function renderDocs(doc: ReturnType<typeof openApiDocument>): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const rows = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const o = op as { summary: string; requestBody?: unknown; responses: object; security?: unknown[] };
      return `<section><h2><code>${method.toUpperCase()} ${esc(path)}</code></h2><p>${esc(o.summary)}</p>
<details><summary>schemas</summary><pre>${esc(JSON.stringify({ requestBody: o.requestBody, responses: o.responses }, null, 2))}</pre></details></section>`;
    }),
  );
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<style>body{font:15px/1.5 system-ui;max-width:60rem;margin:2rem auto;padding:0 1rem}code{background:#f3f3f3;padding:.1em .3em}pre{background:#f7f7f7;padding:1em;overflow:auto}section{border-top:1px solid #ddd}</style>
</head><body><h1>${esc(doc.info.title)}</h1><p>${esc(doc.info.description)}</p>
<p>Authenticate with <code>Authorization: Bearer &lt;API key&gt;</code>. Errors are <code>application/problem+json</code>. Machine-readable: <a href="/openapi.json">/openapi.json</a>.</p>
${rows.join('\n')}</body></html>`;
}
