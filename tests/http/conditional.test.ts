import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';

import { createCast, createGallery, createImage, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let owner: TestUser;
let admin: TestUser;
let galleryId: number;
let imageId: number;

beforeAll(async () => {
  t = await startTestApp();
  ({ owner, admin } = await createCast(t));
  galleryId = (await createGallery(t, owner)).id;
  imageId = (await createImage(t, owner, galleryId)).id;
});
afterAll(async () => {
  await t.close();
});

/** What fetch() sends along with If-None-Match (browsers and Node alike), and nothing of that. */
const HEADER_SETS: [string, Record<string, string>][] = [
  ['If-None-Match alone', {}],
  [
    'If-None-Match with Cache-Control: no-cache, as fetch() sends it',
    { 'Cache-Control': 'no-cache', Pragma: 'no-cache' },
  ],
];

const RESOURCES: [string, () => string, () => TestUser][] = [
  ['a gallery (JSON)', () => `/api/gallery/galleries/${galleryId}/`, () => owner],
  ['an image (JSON)', () => `/api/gallery/images/${imageId}/`, () => owner],
  ['a user (JSON)', () => `/api/admin/users/${owner.id}/`, () => admin],
  ['an original file', () => `/api/gallery/images/${imageId}/file/?size=original`, () => owner],
  ['a thumbnail', () => `/api/gallery/images/${imageId}/file/?size=thumb`, () => owner],
];

describe.each(HEADER_SETS)('conditional GET with %s', (_name, extra) => {
  it.each(RESOURCES)('answers 304 without a body for %s when the tag matches', async (_what, path, user) => {
    const get = () => request(t.app).get(path()).set(user().auth).set('Host', 'gallery.test');
    const first = await get().expect(200);
    const again = await get().set(extra).set('If-None-Match', first.headers.etag).expect(304);
    expect(again.text ?? '').toBe('');
    expect(again.headers.etag).toBe(first.headers.etag);
  });

  it.each(RESOURCES)('answers 200 for %s when no tag matches', async (_what, path, user) => {
    await request(t.app)
      .get(path())
      .set(user().auth)
      .set('Host', 'gallery.test')
      .set(extra)
      .set('If-None-Match', '"something-else"')
      .expect(200);
  });
});

describe('If-None-Match parsing', () => {
  const path = () => `/api/gallery/galleries/${galleryId}/`;

  it('matches one tag of a list, weak or strong, and *', async () => {
    // A gallery's cover links carry the Host; supertest's changes with every request.
    const get = () => request(t.app).get(path()).set(owner.auth).set('Host', 'gallery.test');
    const first = await get().expect(200);
    const strong = first.headers.etag.replace(/^W\//, '');
    await get().set('If-None-Match', `"a", ${strong}, W/"b"`).expect(304);
    await get().set('If-None-Match', '*').expect(304);
    await get().set('If-None-Match', '"a", W/"b"').expect(200);
  });
});

describe('a script using fetch()', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    ['a gallery', () => `/api/gallery/galleries/${galleryId}/`],
    ['a thumbnail', () => `/api/gallery/images/${imageId}/file/?size=thumb`],
  ])('gets its 304 for %s', async (_what, path) => {
    const headers = { Authorization: owner.auth.Authorization };
    const first = await fetch(base + path(), { headers });
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const again = await fetch(base + path(), { headers: { ...headers, 'If-None-Match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });
});
