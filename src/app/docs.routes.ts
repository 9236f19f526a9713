import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { z } from 'zod';

import { defineRoute, type RouteSpec } from '../http/route';
import { builtPostmanCollection } from './postman';

export const DOCS_ASSETS_PATH = '/api/docs/assets';
/**
 * Swagger UI's files, found without loading the package: its main module loads the whole 1.5 MB
 * bundle, half a second of every start for a page few open.
 */
export const DOCS_ASSETS_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));

const init = `
    window.ui = SwaggerUIBundle({
      url: '/api/openapi.json',
      dom_id: '#swagger-ui',
      persistAuthorization: true,
      tryItOutEnabled: true,
      displayOperationId: false,
    });
  `;

/** The page may run the bundle from this server and this one inline script, and nothing else. */
const pagePolicy = [
  "default-src 'none'",
  "script-src 'self' 'sha256-" + createHash('sha256').update(init).digest('base64') + "'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join('; ');

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Gallery Server API</title>
  <link rel="stylesheet" href="${DOCS_ASSETS_PATH}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${DOCS_ASSETS_PATH}/swagger-ui-bundle.js"></script>
  <script>${init}</script>
</body>
</html>
`;

/**
 * The OpenAPI document, the Postman collection made from it by the build, and the interactive docs;
 * `document` is built once, on first use.
 */
export function docsRoutes(document: () => Record<string, unknown>): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/openapi.json',
      access: 'public',
      summary: 'This API described in OpenAPI 3.1',
      responses: { 200: z.record(z.string(), z.unknown()) },
      handler: ({ reply }) => reply(200, document()),
    }),
    defineRoute({
      method: 'get',
      path: '/api/postman.json',
      access: 'public',
      summary: 'This API as a Postman collection (v2.1), made from the OpenAPI document by the build',
      responses: { 200: z.record(z.string(), z.unknown()) },
      errors: ['NOT_FOUND'],
      // The collection file is the JSON object the build wrote (scripts/postman.ts).
      handler: ({ reply }) => reply(200, builtPostmanCollection() as Record<string, unknown>),
    }),
    defineRoute({
      method: 'get',
      path: '/api/docs',
      access: 'public',
      summary: 'Interactive API documentation (Swagger UI); Authorize with "Token <token>" to try operations',
      responses: { 200: 'html' },
      handler: () => ({ status: 200, html: page, headers: { 'Content-Security-Policy': pagePolicy } }),
    }),
  ];
}
