import request from 'supertest';

import type { RouteSpec } from '../../src/http/route';
import { createCast, createImage, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * What is in the trash is gone from every reading route of the table, for every caller, admins
 * too: each GET route under /api/gallery/ and /api/share/ is called with the ids of a trashed
 * image, of an image of a trashed gallery and of the trashed gallery (and its share link), and
 * must answer exactly as for a missing id; called on the live gallery, its lists, counts, search,
 * covers and zips must not mention what is in the trash. The routes come from the table, so a
 * route added later is checked too.
 */
let t: TestApp;
let admin: TestUser;
let owner: TestUser;
const MARK = { image: 'zqxjtrashedimage', inGallery: 'zqxjimageoftrashedgallery', gallery: 'zqxjtrashedgallery' };
type Target = { gallery: number; image: number; sha256: string; key: string; link: number };
let live: Target;
let trashedImage: Target;
let ofTrashedGallery: Target;
const missing: Target = {
  gallery: 999_999,
  image: 999_998,
  sha256: 'f'.repeat(64),
  key: 'A'.repeat(43),
  link: 999_997,
};

async function link(gallery: number) {
  const res = await request(t.app)
    .post(`/api/gallery/galleries/${gallery}/links/`)
    .set(owner.auth)
    .send({})
    .expect(201);
  return { key: res.body.key as string, link: res.body.id as number };
}
const shaOf = async (id: number) => (await t.db.image.findUniqueOrThrow({ where: { id } })).sha256;

beforeAll(async () => {
  t = await startTestApp();
  ({ admin, owner } = await createCast(t));
  const g = (await request(t.app).post('/api/gallery/galleries/').set(owner.auth).send({ name: 'kept' }).expect(201))
    .body.id as number;
  const h = (
    await request(t.app).post('/api/gallery/galleries/').set(owner.auth).send({ name: MARK.gallery }).expect(201)
  ).body.id as number;
  const kept = await createImage(t, owner, g, 'a kept photo');
  const trashed = await createImage(t, owner, g, MARK.image);
  const inH = await createImage(t, owner, h, MARK.inGallery);
  const [gLink, hLink] = [await link(g), await link(h)];
  // The trashed image was the gallery's chosen cover.
  await request(t.app)
    .patch(`/api/gallery/galleries/${g}`)
    .set(owner.auth)
    .send({ coverImage: trashed.id })
    .expect(200);
  await request(t.app).delete(`/api/gallery/images/${trashed.id}`).set(owner.auth).expect(200);
  await request(t.app).delete(`/api/gallery/galleries/${h}`).set(owner.auth).expect(200);
  live = { gallery: g, image: kept.id, sha256: await shaOf(kept.id), ...gLink };
  trashedImage = { ...live, image: trashed.id, sha256: await shaOf(trashed.id) };
  ofTrashedGallery = { gallery: h, image: inH.id, sha256: await shaOf(inH.id), ...hLink };
});
afterAll(async () => {
  await t.close();
});

/** The reading routes about galleries, images and share links. */
const readingRoutes = (): RouteSpec[] =>
  t.app.locals.routes.filter(
    (route) =>
      route.method === 'get' &&
      (route.path.startsWith('/api/gallery/') || route.path.startsWith('/api/share/')) &&
      !route.path.startsWith('/api/gallery/trash'),
  );

function pathFor(route: RouteSpec, target: Target) {
  const id = route.path.startsWith('/api/gallery/galleries/:id') ? target.gallery : target.image;
  return route.path
    .replace(':id', String(id))
    .replace(':sha256', target.sha256)
    .replace(':key', target.key)
    .replace(':imageId', String(target.image))
    .replace(':linkId', String(target.link))
    .replace(':userId', String(owner.id));
}

const get = (path: string, by: TestUser) => request(t.app).get(path).set(by.auth).buffer(true);
const text = (res: request.Response) =>
  Buffer.isBuffer(res.body) ? res.body.toString('latin1') : (res.text ?? JSON.stringify(res.body));

describe('an item in the trash, on every reading route', () => {
  it.each([
    ['a trashed image', () => trashedImage],
    ['an image of a trashed gallery, and that gallery and its link', () => ofTrashedGallery],
  ])('answers for %s exactly as for a missing one, to the owner and to an admin', async (_name, target) => {
    const wrong: string[] = [];
    for (const caller of [owner, admin]) {
      for (const route of readingRoutes().filter((r) => r.path.includes(':'))) {
        // A missing id where the route names the trashed item; the rest of the path as for it.
        const other = { ...target(), image: missing.image };
        if (target() === ofTrashedGallery) Object.assign(other, { gallery: missing.gallery, key: missing.key });
        if (route.path.includes(':sha256')) other.sha256 = missing.sha256;
        // A route that does not name the trashed item is the next test's.
        if (pathFor(route, other) === pathFor(route, target())) continue;
        const hidden = await get(pathFor(route, target()), caller);
        const absent = await get(pathFor(route, other), caller);
        if (hidden.status !== absent.status || JSON.stringify(hidden.body) !== JSON.stringify(absent.body))
          wrong.push(`${route.path}: ${hidden.status} ${text(hidden).slice(0, 120)} / missing: ${absent.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('is not mentioned by any list, count, search, cover, share page or zip of what is live', async () => {
    const wrong: string[] = [];
    const queries = ['', '?count=true', `?q=zqxj`, `?gallery=${live.gallery}&count=true`];
    for (const caller of [owner, admin]) {
      for (const route of readingRoutes()) {
        for (const query of route.path.includes(':') ? [''] : queries) {
          const res = await get(pathFor(route, live) + query, caller);
          const body = text(res);
          for (const mark of Object.values(MARK)) if (body.includes(mark)) wrong.push(`${route.path}${query}: ${mark}`);
          if (res.headers['x-total-count'] && Number(res.headers['x-total-count']) > 1)
            wrong.push(`${route.path}${query}: X-Total-Count ${res.headers['x-total-count']}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    const shown = await get(`/api/gallery/galleries/${live.gallery}`, owner).expect(200);
    expect(shown.body).toMatchObject({ imageCount: 1, cover: { id: live.image, chosen: false } });
  });

  it('is not found by the hash check, nor downloadable in a selection', async () => {
    const check = await request(t.app)
      .post('/api/gallery/images/check')
      .set(owner.auth)
      .send({ sha256: [trashedImage.sha256, ofTrashedGallery.sha256] })
      .expect(200);
    expect(check.body.found).toEqual([]);
    const selection = (ids: number[]) =>
      request(t.app).post('/api/gallery/images/download').set(owner.auth).send({ ids }).buffer(true);
    const [hidden, absent] = [await selection([trashedImage.image]), await selection([missing.image])];
    const named = JSON.stringify(absent.body).replaceAll(String(missing.image), String(trashedImage.image));
    expect([hidden.status, JSON.stringify(hidden.body)]).toEqual([absent.status, named]);
  });
});
