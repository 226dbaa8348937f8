/**
 * The studio: a page where people sign in with their API key and make videos and images
 * (/create/video, with / redirecting to it). The page is listed with the API's routes (an HTML
 * operation, like /docs); its stylesheet and script are static assets, served by `studioAssets`
 * outside the route registry.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';
import { defineRoute, type AnyRoute } from '../api/route.js';
import { studioBundle } from './bundle.js';

const publicDir = path.join(import.meta.dirname, 'public');
export const STUDIO_PATH = '/create/video';

/**
 * Scripts and styles from this origin only (no inline code); media and images from anywhere, since
 * file links may be presigned S3 or CDN URLs and image modes take the user's image URLs.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: http: data:",
  "media-src 'self' https: http:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export function studioRoutes(): AnyRoute[] {
  const page = readFileSync(path.join(publicDir, 'index.html'), 'utf8');
  return [
    defineRoute({
      method: 'get',
      path: '/',
      summary: 'Redirects to the studio',
      tags: ['studio'],
      auth: 'none',
      responses: { 302: { description: `To ${STUDIO_PATH}` } },
      handler: async ({ res }) => {
        res.redirect(302, STUDIO_PATH);
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: STUDIO_PATH,
      summary: 'The studio: sign in with an API key, make videos and images, see yours',
      tags: ['studio'],
      auth: 'none',
      responses: { 200: { description: 'HTML', contentType: 'text/html' } },
      handler: async ({ res }) => {
        res.set({ 'content-security-policy': CSP, 'cache-control': 'no-cache' }).type('html').send(page);
        return undefined;
      },
    }),
  ];
}

/** /studio/app.js (the bundled module) and /studio/studio.css. */
export function studioAssets(): RequestHandler {
  const css = readFileSync(path.join(publicDir, 'studio.css'), 'utf8');
  // Start bundling now, so the first page view does not wait; a failure surfaces on request.
  studioBundle().catch(() => undefined);
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path === '/studio.css') return void res.type('css').set('cache-control', 'no-cache').send(css);
    if (req.path !== '/app.js') return next();
    studioBundle().then(
      (js) => res.type('js').set('cache-control', 'no-cache').send(js),
      (err: unknown) => next(err),
    );
  };
}
