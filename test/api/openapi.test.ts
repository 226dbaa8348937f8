/**
 * GET /openapi.json is a valid OpenAPI 3.1 document that documents every route the app mounts, with
 * every method; GET /docs is Swagger UI, served from this app's own assets (the browser test renders it).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Router } from 'express';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createApp } from '../../src/api/app.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { call } from '../support/api-client.js';

type Layer = Router['stack'][number];

interface OpenApi {
  openapi: string;
  paths: Record<
    string,
    Record<string, { parameters?: Array<{ name: string; in: string; required?: boolean }> }>
  >;
}

/** "METHOD /path/{param}" for every route in an Express router stack, nested routers included. */
function mountedOperations(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
      const methods = new Set(layer.route.stack.map((l) => l.method.toUpperCase()));
      return [...methods].map((m) => `${m} ${path}`);
    }
    const nested = (layer.handle as { stack?: Layer[] }).stack;
    return nested ? mountedOperations(nested) : [];
  });
}

/** An app built by the same factory, on the stack's real parts, to read the routes it mounts. */
function appLike(stack: TestStack) {
  return createApp({
    temporal: stack.temporal.client,
    taskQueue: stack.taskQueue,
    ledger: stack.ledger,
    storage: stack.storage,
    logger: stack.logger,
    metrics: stack.metrics,
    prices: stack.config.prices,
    webhookSecret: 'unused',
    kieHmacKey: 'unused',
    adminApiKey: 'unused',
    userDefaults: {},
    readiness: { db: async () => {}, temporal: async () => {} },
  });
}

describe('OpenAPI document and docs page', () => {
  it('is valid OpenAPI 3.1, documents every mounted route and method; /docs is Swagger UI', async (t) => {
    const stack = await startTestStack(t);
    const reply = await call(stack.apiUrl!, 'GET', '/openapi.json');
    assert.equal(reply.status, 200);
    assert.match(reply.contentType, /^application\/json/);
    const doc = reply.body as OpenApi;
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );

    await t.test('valid OpenAPI 3.1', async () => {
      assert.equal(doc.openapi, '3.1.0');
      const validator = new Validator();
      const result = await validator.validate(doc as unknown as Record<string, unknown>);
      assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
      assert.equal(validator.version, '3.1');
    });

    await t.test('every path parameter is declared, required', () => {
      for (const [path, ops] of Object.entries(doc.paths)) {
        const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        for (const [method, op] of Object.entries(ops)) {
          const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
          assert.deepEqual(declared.map((p) => p.name).sort(), [...names].sort(), `${method} ${path}`);
          assert.ok(
            declared.every((p) => p.required === true),
            `${method} ${path}`,
          );
        }
      }
    });

    await t.test('documents exactly the routes the app mounts', () => {
      const mounted = mountedOperations(appLike(stack).router.stack);
      assert.ok(mounted.length >= 20, `found only ${mounted.length} routes`);
      assert.deepEqual([...documented].sort(), [...new Set(mounted)].sort());
    });

    await t.test('the running server routes every documented operation', async () => {
      for (const op of documented) {
        const [method, path] = op.split(' ') as [string, string];
        const r = await call(stack.apiUrl!, method, path.replace(/\{\w+\}/g, 'x'));
        const unrouted = r.status === 404 && (r.body as { detail?: string }).detail === 'Route not found.';
        assert.ok(!unrouted, `${op} is documented but not routed`);
      }
    });

    await t.test('/docs is Swagger UI served from this server, reading /openapi.json', async () => {
      const docs = await call(stack.apiUrl!, 'GET', '/docs');
      assert.equal(docs.status, 200);
      assert.match(docs.contentType, /^text\/html/);
      const html = String(docs.body);
      assert.match(html, /^<!doctype html>/i);
      assert.match(html, /url: '\/openapi\.json'/);
      const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      assert.ok(assets.length >= 2, html);
      for (const asset of assets) {
        assert.ok(asset.startsWith('/docs/assets/'), `${asset} is not served by this app`);
        const r = await fetch(new URL(asset, stack.apiUrl!));
        assert.equal(r.status, 200, asset);
        assert.match(r.headers.get('content-type') ?? '', /javascript|css|image/, asset);
      }
      // Only the files the page needs: not the package's demo page pointing at the Petstore.
      assert.equal((await call(stack.apiUrl!, 'GET', '/docs/assets/swagger-initializer.js')).status, 404);
      assert.equal((await call(stack.apiUrl!, 'GET', '/docs/assets/..%2Fpackage.json')).status, 404);
    });
  });
});
