/**
 * The API reference at /docs: Swagger UI from the swagger-ui-dist package's own bundle, served by this
 * app (no CDN, works offline), rendering GET /openapi.json.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { RequestHandler } from 'express';

const assetsDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
/** The files the page loads; the package's demo index and initializer (the Petstore) stay unserved. */
const ASSETS = new Set(['swagger-ui-bundle.js', 'swagger-ui.css', 'favicon-32x32.png', 'favicon-16x16.png']);
export const REFERENCE_ASSETS_PATH = '/docs/assets';

/** Static files, mounted at REFERENCE_ASSETS_PATH (outside the route registry: they are not operations). */
export function referenceAssets(): RequestHandler {
  return (req, res, next) => {
    const file = req.path.slice(1);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !ASSETS.has(file)) return next();
    res.sendFile(path.join(assetsDir, file), { maxAge: '1d' }, (err) => err && next(err));
  };
}

export function referencePage(title: string): string {
  const assets = REFERENCE_ASSETS_PATH;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}</title>
<link rel="icon" type="image/png" href="${assets}/favicon-32x32.png">
<link rel="stylesheet" href="${assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${assets}/swagger-ui-bundle.js"></script>
<script>
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    validatorUrl: null, // no badge from validator.swagger.io: nothing leaves this server
    // Same origin: "Try it out" also works with the studio's session cookie.
    withCredentials: true,
  });
</script>
</body>
</html>
`;
}
