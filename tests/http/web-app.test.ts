import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { thumbHashToApproximateAspectRatio, thumbHashToAverageRGBA, thumbHashToRGBA } from 'thumbhash';

import { createGallery, createUser, upload, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

const APP_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; font-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="app"></div></body></html>';
const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** A build of the web app as Vite lays it out: index.html, hashed bundles under assets/, a favicon. */
function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'web-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("app");\n');
  writeFileSync(join(dir, 'assets', 'index-abc123.css'), 'body { margin: 0 }\n');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dir;
}

describe('the web app, served by the same process', () => {
  let t: TestApp;
  let build: string;
  beforeAll(async () => {
    build = fakeBuild();
    t = await startTestApp({ WEB_DIST_DIR: build });
  });
  afterAll(async () => {
    await t.close();
    rmSync(build, { recursive: true, force: true });
  });

  it('serves index.html at / with a strict CSP (no inline script, no eval) and no-cache', async () => {
    const res = await request(t.app).get('/').set('Accept', HTML).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toBe(INDEX);
    expect(res.headers['content-security-policy']).toBe(APP_POLICY);
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    await request(t.app).head('/').expect(200);
    // Whatever the client accepts: `/` is the app.
    await request(t.app).get('/').expect(200);
  });

  it("falls back to index.html for the app's own pages, so that a reload works", async () => {
    for (const path of ['/galleries/5', '/galleries/5/images/7', '/share/abc', '/admin/users']) {
      const res = await request(t.app).get(path).set('Accept', HTML).expect(200);
      expect(res.text).toBe(INDEX);
      expect(res.headers['content-security-policy']).toBe(APP_POLICY);
    }
  });

  it('leaves the API, health, readiness and metrics paths to the server: JSON 404s with the API CSP', async () => {
    for (const path of ['/api/nope', '/api', '/metrics', '/health/x']) {
      const res = await request(t.app).get(path).set('Accept', HTML).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.code).toBe('NOT_FOUND');
      expect(res.headers['content-security-policy']).toMatch(/^default-src 'none'/);
    }
    const health = await request(t.app).get('/health').set('Accept', HTML).expect(200);
    expect(health.headers['content-type']).toMatch(/json/);
    const api = await request(t.app).get('/api/auth/me').set('Accept', HTML).expect(401);
    expect(api.headers['content-security-policy']).toMatch(/^default-src 'none'/);
  });

  it('does not answer a page for a non-HTML request, nor for a write', async () => {
    const script = await request(t.app).get('/galleries/5').set('Accept', '*/*').expect(404);
    expect(script.body.code).toBe('NOT_FOUND');
    await request(t.app).post('/galleries/5').set('Accept', HTML).send({}).expect(404);
  });

  it('serves the hashed bundles as immutable, and a missing bundle as a 404, never the page', async () => {
    const js = await request(t.app).get('/assets/index-abc123.js').expect(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await request(t.app).get('/assets/index-abc123.css').expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const missing = await request(t.app).get('/assets/index-gone.js').set('Accept', HTML).expect(404);
    expect(missing.body.code).toBe('NOT_FOUND');
  });

  it('serves the other files of the build, revalidated', async () => {
    const icon = await request(t.app).get('/favicon.svg').expect(200);
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });
});

describe('a server without the web app', () => {
  let t: TestApp;
  let empty: string;
  beforeAll(async () => {
    empty = mkdtempSync(join(tmpdir(), 'web-none-'));
    t = await startTestApp({ WEB_DIST_DIR: empty });
  });
  afterAll(async () => {
    await t.close();
    rmSync(empty, { recursive: true, force: true });
  });

  it('starts, and answers / with the JSON 404 as before', async () => {
    const res = await request(t.app).get('/').set('Accept', HTML).expect(404);
    expect(res.body).toEqual({ message: 'No such endpoint.', code: 'NOT_FOUND' });
    await request(t.app).get('/galleries/5').set('Accept', HTML).expect(404);
    await request(t.app).get('/health').expect(200);
  });
});

describe('ThumbHash placeholders', () => {
  let t: TestApp;
  let owner: TestUser;
  let galleryId: number;
  beforeAll(async () => {
    t = await startTestApp();
    owner = await createUser(t, 'beta_player');
    galleryId = (await createGallery(t, owner)).id;
  });
  afterAll(async () => {
    await t.close();
  });

  /** A PNG of `width`×`height` in one colour. */
  const png = (width: number, height: number, background: { r: number; g: number; b: number }) =>
    sharp({ create: { width, height, channels: 3, background } })
      .png()
      .toBuffer();

  function decoded(thumbhash: unknown) {
    expect(thumbhash).toEqual(expect.stringMatching(/^[A-Za-z0-9+/]+={0,2}$/));
    const bytes = Buffer.from(thumbhash as string, 'base64');
    expect(bytes.length).toBeGreaterThanOrEqual(5);
    expect(bytes.length).toBeLessThanOrEqual(40);
    const rendered = thumbHashToRGBA(bytes);
    expect(rendered.rgba.length).toBe(rendered.w * rendered.h * 4);
    return { bytes, ratio: thumbHashToApproximateAspectRatio(bytes), average: thumbHashToAverageRGBA(bytes) };
  }

  it('is computed at upload and returned in the image JSON: single, list and share link', async () => {
    const res = await upload(
      t,
      owner,
      { gallery: galleryId, title: 'red wide' },
      { bytes: await png(400, 200, { r: 220, g: 20, b: 20 }) },
    ).expect(201);
    const hash = decoded(res.body.thumbhash);
    expect(hash.ratio).toBeCloseTo(2, 0);
    expect(hash.average.r).toBeGreaterThan(0.7);
    expect(hash.average.b).toBeLessThan(0.3);

    const single = await request(t.app).get(`/api/gallery/images/${res.body.id}`).set(owner.auth).expect(200);
    expect(single.body.thumbhash).toBe(res.body.thumbhash);
    const list = await request(t.app).get(`/api/gallery/images?gallery=${galleryId}`).set(owner.auth).expect(200);
    const listed = (list.body as { id: number; thumbhash: string }[]).find((image) => image.id === res.body.id);
    expect(listed?.thumbhash).toBe(res.body.thumbhash);

    const link = await request(t.app)
      .post(`/api/gallery/galleries/${galleryId}/links`)
      .set(owner.auth)
      .send({})
      .expect(201);
    const shared = await request(t.app)
      .get(`/api/share/${link.body.key as string}`)
      .expect(200);
    const sharedImage = (shared.body.images as { id: number; thumbhash: string }[]).find(
      (image) => image.id === res.body.id,
    );
    expect(sharedImage?.thumbhash).toBe(res.body.thumbhash);
  });

  it('follows the upright image: a tall picture gives a tall placeholder', async () => {
    const res = await upload(
      t,
      owner,
      { gallery: galleryId, title: 'tall' },
      { bytes: await png(100, 300, { r: 20, g: 200, b: 20 }) },
    ).expect(201);
    expect(decoded(res.body.thumbhash).ratio).toBeLessThan(0.6);
  });

  it("is computed again when the image's file is replaced", async () => {
    const first = await upload(
      t,
      owner,
      { gallery: galleryId, title: 'to replace' },
      { bytes: await png(300, 300, { r: 230, g: 30, b: 30 }) },
    ).expect(201);
    const replaced = await request(t.app)
      .patch(`/api/gallery/images/${first.body.id}`)
      .set(owner.auth)
      .attach('image', await png(300, 150, { r: 20, g: 20, b: 230 }), {
        filename: 'blue.png',
        contentType: 'image/png',
      })
      .expect(200);
    expect(replaced.body.thumbhash).not.toBe(first.body.thumbhash);
    const hash = decoded(replaced.body.thumbhash);
    expect(hash.average.b).toBeGreaterThan(0.7);
    expect(hash.ratio).toBeCloseTo(2, 0);
    const row = await t.db.image.findUniqueOrThrow({ where: { id: first.body.id } });
    expect(row.thumbhash).toBe(replaced.body.thumbhash);
  });

  it('is null for an image stored before it was computed', async () => {
    const res = await upload(
      t,
      owner,
      { gallery: galleryId, title: 'old' },
      { bytes: await png(50, 50, { r: 1, g: 2, b: 3 }) },
    ).expect(201);
    await t.db.image.update({ where: { id: res.body.id }, data: { thumbhash: null } });
    const single = await request(t.app).get(`/api/gallery/images/${res.body.id}`).set(owner.auth).expect(200);
    expect(single.body.thumbhash).toBeNull();
  });
});
