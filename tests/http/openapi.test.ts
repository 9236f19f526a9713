import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import request from 'supertest';

import { openApiPath } from '../../src/http/openapi';
import { ERROR_TABLE } from '../../src/shared/errors';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let document: {
  openapi: string;
  paths: Record<string, Record<string, { 'x-permission': string; responses: Record<string, unknown> }>>;
};

beforeAll(async () => {
  t = await startTestApp();
  document = (await request(t.app).get('/api/openapi.json').expect(200)).body;
});
afterAll(async () => {
  await t.close();
});

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('describes exactly the mounted routes, each with its permission', () => {
    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const mounted = t.app.locals.routes
      .map((route) => `${route.method.toUpperCase()} ${openApiPath(route.path)}`)
      .sort();
    expect(documented).toEqual(mounted);
    for (const route of t.app.locals.routes) {
      expect(document.paths[openApiPath(route.path)][route.method]['x-permission']).toBe(route.access);
    }
  });

  it('documents the error replies of every operation with the shared error schema', () => {
    for (const operations of Object.values(document.paths)) {
      for (const operation of Object.values(operations)) {
        expect(operation.responses['500']).toEqual({ $ref: '#/components/responses/Error500' });
      }
    }
    expect(document.paths['/api/gallery/images'].post.responses).toEqual(
      expect.objectContaining({
        '201': expect.anything(),
        '401': expect.anything(),
        '403': expect.anything(),
        '413': expect.anything(),
        '415': expect.anything(),
      }),
    );
  });
});

describe('GET /api/docs', () => {
  it('serves the interactive docs page and its assets without any outside address', async () => {
    const res = await request(t.app).get('/api/docs/').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('/api/openapi.json');
    expect(res.text).not.toMatch(/https?:\/\//);
    const bundle = await request(t.app).get('/api/docs/assets/swagger-ui-bundle.js').expect(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
  });
});

describe('the API reference (docs/api.md)', () => {
  it('lists every error code with its status, and no other', () => {
    const reference = readFileSync(join(__dirname, '../../docs/api.md'), 'utf8');
    const rows = [...reference.matchAll(/^\| (\d{3}) \| `([A-Z_]+)` \|/gm)]
      .map(([, status, code]) => `${code} ${status}`)
      .sort();
    const table = Object.entries(ERROR_TABLE)
      .map(([code, entry]) => `${code} ${entry.status}`)
      .sort();
    expect(rows).toEqual(table);
  });
});
