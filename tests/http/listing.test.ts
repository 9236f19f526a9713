import request from 'supertest';

import { createCast, createGallery, createImage, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { testDbKind } from '../helpers/test-env';

let t: TestApp;
let owner: TestUser;
let other: TestUser;
let viewer: TestUser;
let galleryId: number;
const titles = ['banana split', 'Apple pie', 'cherry TART', 'apple strudel', 'Éclair', 'date loaf', 'apple crumble'];
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = await startTestApp();
  ({ owner, otherPlayer: other, subscriber: viewer } = await createCast(t));
  galleryId = (await createGallery(t, owner, 'Desserts')).id;
  for (const title of titles) ids[title] = (await createImage(t, owner, galleryId, title)).id;
  const otherGallery = await createGallery(t, other, 'Other APPLES');
  await createImage(t, other, otherGallery.id, 'apple of another');
});
afterAll(async () => {
  await t.close();
});

/** Follows the Link headers from `path` to the end; returns every title seen, in order. */
async function walk(path: string): Promise<{ titles: string[]; pages: number }> {
  const seen: string[] = [];
  let next: string | undefined = path;
  let pages = 0;
  while (next) {
    const res: request.Response = await request(t.app).get(next).set(viewer.auth).expect(200);
    seen.push(...res.body.map((item: { title?: string; name?: string }) => item.title ?? item.name));
    next = res.headers.link ? /<([^>]+)>; rel="next"/.exec(res.headers.link)![1] : undefined;
    pages++;
  }
  return { titles: seen, pages };
}

const inGallery = () => `/api/gallery/view-images/?gallery=${galleryId}`;

describe('listing images', () => {
  it('searches title and description case-insensitively, non-ASCII letters included', async () => {
    expect((await walk(`${inGallery()}&q=APPLE`)).titles.sort()).toEqual([
      'Apple pie',
      'apple crumble',
      'apple strudel',
    ]);
    expect((await walk(`${inGallery()}&q=éCLAIR`)).titles).toEqual(['Éclair']);
    expect((await walk(`${inGallery()}&q=tart`)).titles).toEqual(['cherry TART']);
  });

  it('takes % and _ in a search literally', async () => {
    expect((await walk(`${inGallery()}&q=${encodeURIComponent('%')}`)).titles).toEqual([]);
    expect((await walk(`${inGallery()}&q=_`)).titles).toEqual([]);
  });

  it('filters by uploader', async () => {
    const res = await request(t.app).get(`/api/gallery/view-images/?uploader=${other.id}`).set(viewer.auth).expect(200);
    expect(res.body.map((image: { title: string }) => image.title)).toEqual(['apple of another']);
  });

  it('sorts by title, case-insensitively, both ways, through every page', async () => {
    const expected = [...titles].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    const up = await walk(`${inGallery()}&sort=title&limit=2`);
    expect(up.titles).toEqual(expected);
    expect(up.pages).toBe(4);
    expect((await walk(`${inGallery()}&sort=-title&limit=3`)).titles).toEqual([...expected].reverse());
  });

  it('sorts by creation time both ways, through every page', async () => {
    expect((await walk(`${inGallery()}&sort=created&limit=3`)).titles).toEqual(titles);
    expect((await walk(`${inGallery()}&sort=-created&limit=3`)).titles).toEqual([...titles].reverse());
  });

  it('filters by creation time', async () => {
    const row = await t.db.image.findUniqueOrThrow({ where: { id: ids['date loaf'] } });
    const at = row.createdAt.toISOString();
    const after = await walk(`${inGallery()}&created_after=${encodeURIComponent(at)}&sort=created`);
    expect(after.titles).toEqual(['apple crumble']);
    const before = await walk(`${inGallery()}&created_before=${encodeURIComponent(at)}&sort=created`);
    expect(before.titles).toEqual(titles.slice(0, 5));
  });

  it('gives the total only when asked, in X-Total-Count', async () => {
    const counted = await request(t.app).get(`${inGallery()}&q=apple&limit=1&count=true`).set(viewer.auth).expect(200);
    expect(counted.headers['x-total-count']).toBe('3');
    expect(counted.body).toHaveLength(1);
    const plain = await request(t.app).get(`${inGallery()}&q=apple&limit=1`).set(viewer.auth).expect(200);
    expect(plain.headers['x-total-count']).toBeUndefined();
  });

  it.each([
    ['an unknown sort', 'sort=size'],
    ['a bad date', 'created_after=yesterday'],
    ['an overlong search', `q=${'x'.repeat(201)}`],
    ['a bad count flag', 'count=maybe'],
  ])('refuses %s with 400', async (_name, query) => {
    const res = await request(t.app).get(`${inGallery()}&${query}`).set(viewer.auth).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a cursor used with another sort order', async () => {
    const first = await request(t.app).get(`${inGallery()}&sort=title&limit=2`).set(viewer.auth).expect(200);
    const cursor = new URLSearchParams(/<[^?]+\?([^>]+)>/.exec(first.headers.link)![1]).get('cursor')!;
    const res = await request(t.app).get(`${inGallery()}&sort=-created&cursor=${cursor}`).set(viewer.auth).expect(400);
    expect(res.body.message).toMatch(/another sort order/);
  });

  it('keeps the search keys in step when a title changes', async () => {
    const image = await createImage(t, owner, galleryId, 'temporary name');
    await request(t.app)
      .patch(`/api/gallery/images/${image.id}`)
      .set(owner.auth)
      .send({ title: 'Zucchini Bread' })
      .expect(200);
    expect((await walk(`${inGallery()}&q=zucchini`)).titles).toEqual(['Zucchini Bread']);
    expect((await walk(`${inGallery()}&q=temporary`)).titles).toEqual([]);
    await request(t.app).delete(`/api/gallery/images/${image.id}`).set(owner.auth).expect(200);
  });
});

describe('rows written outside the API (Prisma Studio, SQL)', () => {
  it('are found by search and sorted by title like the others', async () => {
    const image = await createImage(t, owner, galleryId, 'made through the API');
    await t.db.image.update({ where: { id: image.id }, data: { title: 'Zebra Crossing', description: 'STRIPES' } });
    expect((await walk(`${inGallery()}&q=zebra`)).titles).toEqual(['Zebra Crossing']);
    expect((await walk(`${inGallery()}&q=stripes`)).titles).toEqual(['Zebra Crossing']);
    expect((await walk(`${inGallery()}&q=made`)).titles).toEqual([]);
    const sorted = (await walk(`${inGallery()}&sort=title&limit=3`)).titles;
    // After every title in ASCII letters; before the one that starts with a non-ASCII letter.
    expect(sorted.slice(sorted.indexOf('Zebra Crossing') - 1)).toEqual(['date loaf', 'Zebra Crossing', 'Éclair']);
    await request(t.app).delete(`/api/gallery/images/${image.id}`).set(owner.auth).expect(200);
  });

  it('include galleries created without the API', async () => {
    const outside = await t.db.gallery.create({
      data: { name: 'Aardvark Sightings', description: 'Seen from the ROAD', ownerId: owner.id },
    });
    expect((await walk('/api/gallery/galleries/?q=aardvark')).titles).toEqual(['Aardvark Sightings']);
    expect((await walk('/api/gallery/galleries/?q=road')).titles).toEqual(['Aardvark Sightings']);
    expect((await walk('/api/gallery/galleries/?sort=title&limit=1')).titles[0]).toBe('Aardvark Sightings');
    await t.db.gallery.delete({ where: { id: outside.id } });
  });
});

describe('sorting by title', () => {
  it('is served by the lower(title) and lower(name) indexes, on both databases', async () => {
    const queries = [
      ['Image_lower_title_id_idx', 'SELECT id FROM "Image" ORDER BY lower(title), id LIMIT 5'],
      ['Gallery_lower_name_id_idx', 'SELECT id FROM "Gallery" ORDER BY lower(name) DESC, id DESC LIMIT 5'],
    ];
    for (const [index, sql] of queries) {
      const plan =
        testDbKind() === 'sqlite'
          ? await t.db.$queryRawUnsafe<unknown[]>(`EXPLAIN QUERY PLAN ${sql}`)
          : await t.db.$transaction(async (tx) => {
              // The tables are tiny here: forbid the scan-and-sort the planner would rightly prefer.
              await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
              await tx.$executeRawUnsafe('SET LOCAL enable_sort = off');
              return tx.$queryRawUnsafe<unknown[]>(`EXPLAIN ${sql}`);
            });
      expect(
        JSON.stringify(plan, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value)),
      ).toContain(index);
    }
  });
});

describe('listing galleries', () => {
  it('searches, sorts by name and counts', async () => {
    const res = await request(t.app).get('/api/gallery/galleries/?q=apples&count=true').set(viewer.auth).expect(200);
    expect(res.body.map((g: { name: string }) => g.name)).toEqual(['Other APPLES']);
    expect(res.headers['x-total-count']).toBe('1');
    const sorted = await walk('/api/gallery/galleries/?sort=title&limit=1');
    expect(sorted.titles).toEqual(['Desserts', 'Other APPLES']);
  });
});

describe('conditional GETs on single objects', () => {
  it.each([
    ['an image', () => `/api/gallery/view-images/${ids['Apple pie']}/`],
    ['a gallery', () => `/api/gallery/galleries/${galleryId}/`],
  ])('answers If-None-Match with 304 for %s, and 200 once it changed', async (_name, path) => {
    // Image links carry the Host; supertest's changes with every request.
    const get = () => request(t.app).get(path()).set(viewer.auth).set('Host', 'gallery.test');
    const first = await get().expect(200);
    expect(first.headers.etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
    const again = await get().set('If-None-Match', first.headers.etag).expect(304);
    expect(again.text).toBe('');
    const edit = path().includes('galleries') ? { name: 'Desserts!' } : { title: 'Apple pie!' };
    const target = path().includes('galleries')
      ? `/api/gallery/galleries/${galleryId}`
      : `/api/gallery/images/${ids['Apple pie']}`;
    await request(t.app).patch(target).set(owner.auth).send(edit).expect(200);
    const changed = await get().set('If-None-Match', first.headers.etag).expect(200);
    expect(changed.headers.etag).not.toBe(first.headers.etag);
  });
});
