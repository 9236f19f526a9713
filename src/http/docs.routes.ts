import { z } from 'zod';
import { defineRoute, type RouteSpec } from './route';

export const DOCS_ASSETS_PATH = '/api/docs/assets';

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
  <script>
    window.ui = SwaggerUIBundle({
      url: '/api/openapi.json',
      dom_id: '#swagger-ui',
      persistAuthorization: true,
      tryItOutEnabled: true,
      displayOperationId: false,
    });
  </script>
</body>
</html>
`;

/** The OpenAPI document and the interactive docs; `document` is built once, on first use. */
export function docsRoutes(document: () => unknown): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/openapi.json',
      access: 'public',
      summary: 'This API described in OpenAPI 3.1',
      responses: { 200: z.record(z.string(), z.unknown()) },
      handler: ({ res }) => {
        res.json(document());
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/docs',
      access: 'public',
      summary: 'Interactive API documentation (Swagger UI); Authorize with "Token <token>" to try operations',
      responses: { 200: 'html' },
      handler: ({ res }) => {
        res.type('html').send(page);
      },
    }),
  ];
}
