import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import { z } from 'zod';

import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * GET /api/postman.json: the collection the build makes from the OpenAPI document (scripts/postman.ts
 * into dist/postman.json), as the server serves it.
 */

const V21 = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';

// The parts of the Postman collection format v2.1 that Postman needs to import a collection.
const description = z.union([
  z.string(),
  z.object({ content: z.string().optional(), type: z.string().optional(), version: z.unknown().optional() }),
  z.null(),
]);
const keyValue = z.object({ key: z.string(), value: z.unknown().optional() });
const auth = z.looseObject({
  type: z.enum([
    'apikey',
    'awsv4',
    'basic',
    'bearer',
    'digest',
    'edgegrid',
    'hawk',
    'noauth',
    'oauth1',
    'oauth2',
    'ntlm',
  ]),
});
const url = z.object({
  raw: z.string().optional(),
  host: z.array(z.string()),
  path: z.array(z.string()),
  query: z.array(keyValue).optional(),
  variable: z.array(keyValue).optional(),
});
const postmanRequest = z.object({
  method: z.enum(['GET', 'PUT', 'POST', 'PATCH', 'DELETE', 'COPY', 'HEAD', 'OPTIONS']),
  url,
  header: z.array(keyValue).optional(),
  body: z.object({ mode: z.enum(['raw', 'urlencoded', 'formdata', 'file', 'graphql']) }).optional(),
  auth: auth.optional(),
  description: description.optional(),
});
type Item = { name: string; item?: Item[]; request?: z.infer<typeof postmanRequest> };
const item: z.ZodType<Item> = z.lazy(() =>
  z.union([
    z.object({ name: z.string(), item: z.array(item) }),
    z.object({ id: z.string().optional(), name: z.string(), request: postmanRequest }),
  ]),
);
const collectionV21 = z.object({
  info: z.object({ _postman_id: z.string().optional(), name: z.string(), schema: z.literal(V21) }),
  item: z.array(item),
  auth: auth.optional(),
  variable: z.array(keyValue).optional(),
});

const requests = (items: Item[]): Item[] => items.flatMap((entry) => (entry.item ? requests(entry.item) : [entry]));

let t: TestApp;
beforeAll(async () => {
  // Under `npm test` the global setup has built it; the fast loop builds nothing, so make it here
  // when the sources changed since it was made (as `npm run build` would).
  execFileSync(process.execPath, [join(__dirname, '../../scripts/build.mjs'), '--postman'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  t = await startTestApp();
}, 120_000);
afterAll(async () => {
  await t.close();
});

describe('GET /api/postman.json', () => {
  let collection: z.infer<typeof collectionV21>;
  let document: { paths: Record<string, Record<string, { 'x-permission': string }>> };
  beforeAll(async () => {
    const res = await request(t.app).get('/api/postman.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const parsed = collectionV21.safeParse(res.body);
    expect(parsed.success ? [] : parsed.error.issues.slice(0, 3)).toEqual([]);
    collection = parsed.data!;
    document = (await request(t.app).get('/api/openapi.json').expect(200)).body;
  });

  it('is a Postman v2.1 collection named after the API', () => {
    expect(collection.info).toMatchObject({ name: 'Gallery Server', schema: V21 });
  });

  it('has one request per operation of the OpenAPI document, and no other', () => {
    const operations = Object.entries(document.paths)
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      )
      .sort();
    const inCollection = requests(collection.item)
      .map(({ request: r }) => `${r!.method} /${r!.url.path.join('/')}`)
      .sort();
    expect(inCollection).toEqual(operations);
    expect(operations).toContain('GET /api/postman.json');
  });

  it('sends `Authorization: Token {{token}}` where the operation needs it, and no credentials elsewhere', () => {
    expect(collection.variable).toEqual(
      expect.arrayContaining([
        { key: 'baseUrl', value: 'http://localhost:8000' },
        { key: 'token', value: '' },
      ]),
    );
    expect(JSON.stringify(collection.auth)).toContain('Token {{token}}');
    const publicOperations = Object.values(document.paths)
      .flatMap((methods) => Object.values(methods))
      .filter((operation) => operation['x-permission'] === 'public').length;
    const all = requests(collection.item);
    expect(all.filter((r) => r.request?.auth?.type === 'noauth')).toHaveLength(publicOperations);
    expect(all.filter((r) => r.request?.auth === undefined)).toHaveLength(all.length - publicOperations);
  });
});
