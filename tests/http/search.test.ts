import fc from 'fast-check';
import request from 'supertest';

import { createCast, createImage, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Search and filters on image lists: full-text `q` through the index (words, prefix, case,
 * punctuation, what a client might try to inject), `tag`, `takenFrom`/`takenTo`, `camera`,
 * `uploader`, `favorite`, the sort by date taken, and keyset pages over filtered results without
 * gaps or repeats. What is in the trash or in a private gallery the caller may not see never matches.
 */
let t: TestApp;
let cast: Awaited<ReturnType<typeof createCast>>;
let owner: TestUser;
let gallery: number;
let privateGallery: number;
const ids: Record<string, number> = {};

type Photo = { title: string; description?: string; tags?: string[]; taken?: string; camera?: string };
const PHOTOS: Record<string, Photo> = {
  beach: {
    title: 'Sunset at the beach',
    tags: ['holiday', 'sea'],
    taken: '2024-07-14T20:15:00+02:00',
    camera: 'Canon EOS R5',
  },
  market: {
    title: 'Café market',
    description: 'Fresh fruit, early morning',
    tags: ['holiday'],
    taken: '2024-07-15T08:00:00',
  },
  office: {
    title: 'Team offsite',
    description: 'holiday-trip planning',
    taken: '2023-01-02T09:30:00',
    camera: 'Apple iPhone 15',
  },
  scan: { title: 'Old scan 1987', tags: ['family'] },
  night: { title: 'Night sky', tags: ['sea', 'stars'], taken: '2024-07-14T23:59:59', camera: 'canon eos r5' },
};

async function tagImage(id: number, tags: string[]) {
  for (const name of tags) {
    const tag = await t.db.tag.upsert({ where: { name }, create: { name }, update: {} });
    // Written straight to the table: the database keeps the search text (its triggers).
    await t.db.imageTag.create({ data: { imageId: id, tagId: tag.id } });
  }
}

beforeAll(async () => {
  t = await startTestApp();
  cast = await createCast(t);
  owner = cast.owner;
  const make = async (visibility: string) =>
    (await request(t.app).post('/api/gallery/galleries/').set(owner.auth).send({ name: 'g', visibility }).expect(201))
      .body.id as number;
  gallery = await make('shared');
  privateGallery = await make('private');
  for (const [name, photo] of Object.entries(PHOTOS)) {
    const image = await createImage(t, owner, gallery, photo.title);
    ids[name] = image.id;
    await request(t.app)
      .patch(`/api/gallery/images/${image.id}`)
      .set(owner.auth)
      .send({ description: photo.description ?? '' })
      .expect(200);
    await t.db.image.update({
      where: { id: image.id },
      data: { capturedAt: photo.taken ?? null, cameraModel: photo.camera ?? null },
    });
    await tagImage(image.id, photo.tags ?? []);
  }
  // Never matched: one in the trash, one in a private gallery others cannot see.
  ids.trashed = (await createImage(t, owner, gallery, 'Sunset trashed')).id;
  await request(t.app).delete(`/api/gallery/images/${ids.trashed}`).set(owner.auth).expect(200);
  ids.hidden = (await createImage(t, owner, privateGallery, 'Sunset private')).id;
  await t.db.favorite.create({ data: { userId: cast.otherPlayer.id, imageId: ids.beach } });
  await t.db.favorite.create({ data: { userId: owner.id, imageId: ids.night } });
});
afterAll(async () => {
  await t.close();
});

/** The names of the photos a list request returns, in order. */
async function names(query: string, by: TestUser = cast.otherPlayer) {
  const res = await request(t.app).get(`/api/gallery/images/?limit=200&${query}`).set(by.auth).expect(200);
  const byId = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
  return (res.body as { id: number }[]).map((image) => byId.get(image.id) ?? `#${image.id}`);
}
const sorted = (list: string[]) => [...list].sort();

describe('full-text q', () => {
  it('finds every word, in title, description or tags, the last one as a prefix, any case', async () => {
    expect(sorted(await names('q=sunset'))).toEqual(['beach']);
    expect(sorted(await names('q=SEA'))).toEqual(['beach', 'night']);
    expect(sorted(await names('q=holi'))).toEqual(['beach', 'market', 'office']);
    expect(sorted(await names('q=fresh%20fruit'))).toEqual(['market']);
    expect(sorted(await names('q=fruit%20fresh'))).toEqual(['market']);
    expect(await names('q=fres%20fruit')).toEqual([]);
    expect(sorted(await names('q=trip'))).toEqual(['office']);
    expect(sorted(await names('q=1987'))).toEqual(['scan']);
  });

  it('folds accents on SQLite; on PostgreSQL a word matches as written', async () => {
    expect(await names('q=caf%C3%A9')).toEqual(['market']);
    const plain = await names('q=cafe');
    expect(plain).toEqual(process.env.TEST_DB === 'postgres' ? [] : ['market']);
  });

  it.each([
    '" OR 1=1 --',
    '\'; DROP TABLE "Image"; --',
    'sunset*',
    'NEAR(sunset beach)',
    'sunset & !beach',
    'sea:* | x',
    '(((',
    '"',
    '*',
    '-',
    'title:sunset',
    '\\',
  ])('reads %j as words only: no error, no operator', async (q) => {
    const found = await names(`q=${encodeURIComponent(q)}`);
    // Found exactly what its words alone find (nothing, without a word), and nothing was changed.
    const words = q.match(/[\p{L}\p{N}]+/gu) ?? [];
    expect(found).toEqual(words.length === 0 ? [] : await names(`q=${encodeURIComponent(words.join(' '))}`));
    expect(await t.db.image.count()).toBeGreaterThan(5);
  });

  it('never matches an image in the trash or in a private gallery the caller cannot see', async () => {
    expect(sorted(await names('q=sunset'))).toEqual(['beach']);
    expect(sorted(await names('q=sunset', owner))).toEqual(['beach', 'hidden']);
    expect(sorted(await names('q=sunset', cast.admin))).toEqual(['beach', 'hidden']);
  });

  it('follows changes made outside the API: a title, a tag renamed, a tag taken off', async () => {
    const id = ids.scan;
    await t.db.image.update({ where: { id }, data: { title: 'Old photo 1987 digitised' } });
    expect(await names('q=digitis')).toEqual(['scan']);
    const family = await t.db.tag.findUniqueOrThrow({ where: { name: 'family' } });
    await t.db.tag.update({ where: { id: family.id }, data: { name: 'relatives' } });
    expect(await names('q=relatives')).toEqual(['scan']);
    expect(await names('q=family')).toEqual([]);
    await t.db.tag.update({ where: { id: family.id }, data: { name: 'family' } });
    const kept = (await t.db.image.findUniqueOrThrow({ where: { id } })).searchText;
    expect(kept).toBe('Old photo 1987 digitised\n\nfamily');
    await t.db.imageTag.deleteMany({ where: { imageId: id } });
    expect(await names('q=family')).toEqual([]);
    await t.db.imageTag.create({ data: { imageId: id, tagId: family.id } });
    await t.db.image.update({ where: { id }, data: { title: 'Old scan 1987' } });
  });

  it('counts what it matches', async () => {
    const res = await request(t.app).get('/api/gallery/images/?q=sea&count=true').set(owner.auth).expect(200);
    expect(res.headers['x-total-count']).toBe('2');
  });
});

describe('a search matching thousands of images', () => {
  afterEach(async () => {
    await t.db.image.deleteMany({ where: { storageKey: { startsWith: 'crowd-' } } });
  });

  it('pages them in order, counted, however the index is read', async () => {
    const crowd = (
      await request(t.app).post('/api/gallery/galleries/').set(owner.auth).send({ name: 'crowd' }).expect(201)
    ).body.id as number;
    // 2,500 rows written straight to the table (their search text made by the database).
    const at = new Date('2020-01-01T00:00:00Z');
    await t.db.$executeRaw`WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2500)
      INSERT INTO "Image" ("galleryId", "uploaderId", "title", "storageKey", "mimeType", "size", "sha256", "createdAt", "updatedAt")
      SELECT ${crowd}, ${owner.id}, 'Crowd ' || x, 'crowd-' || x || '.png', 'image/png', 10,
        substr('0000000000000000000000000000000000000000000000000000000000000000' || x, length('0000000000000000000000000000000000000000000000000000000000000000' || x) - 63, 64), ${at}, ${at} FROM n`;
    const first = await request(t.app)
      .get(`/api/gallery/images/?q=crowd&gallery=${crowd}&sort=-title&limit=3&count=true`)
      .set(owner.auth)
      .expect(200);
    expect(first.headers['x-total-count']).toBe('2500');
    expect(first.body.map((image: { title: string }) => image.title)).toEqual(['Crowd 999', 'Crowd 998', 'Crowd 997']);
    const few = await request(t.app).get(`/api/gallery/images/?q=crowd%202499&gallery=${crowd}`).set(owner.auth);
    expect(few.body.map((image: { title: string }) => image.title)).toEqual(['Crowd 2499']);
    // Newest first (ids break the tie of one creation time), page after page: the list's index
    // walked in order, each row kept when it matches (on SQLite, a search this wide).
    const titles = async (query: string, pages: number) => {
      const seen: string[] = [];
      let path: string | null = `/api/gallery/images/?${query}`;
      for (let n = 0; n < pages && path; n++) {
        const res = await request(t.app).get(path).set(owner.auth).expect(200);
        seen.push(...res.body.map((image: { title: string }) => image.title));
        const link = res.headers.link as string | undefined;
        path = link ? /<([^>]+)>/.exec(link)![1] : null;
      }
      return seen;
    };
    expect(await titles(`q=crowd&gallery=${crowd}&limit=2`, 2)).toEqual([
      'Crowd 2500',
      'Crowd 2499',
      'Crowd 2498',
      'Crowd 2497',
    ]);
    // A wide date range, sorted by title: the same, the range checked row by row.
    await t.db
      .$executeRaw`UPDATE "Image" SET "capturedAt" = '2021-06-' || CASE WHEN id % 28 < 9 THEN '0' ELSE '' END || (id % 28 + 1) || 'T10:00:00' WHERE "storageKey" LIKE 'crowd-%'`;
    expect(await titles(`takenFrom=2021-06-01&takenTo=2021-06-30&sort=title&limit=2`, 2)).toEqual([
      'Crowd 1',
      'Crowd 10',
      'Crowd 100',
      'Crowd 1000',
    ]);
    const narrow = await titles(`takenFrom=2021-06-03&takenTo=2021-06-03&q=crowd&sort=-created&limit=200`, 1);
    expect(narrow.length).toBeGreaterThan(50);
    expect(narrow.length).toBeLessThan(200);
    // The rows go again, whatever happened above, in afterEach.
  });
});

describe('filters', () => {
  it('tag: each one must match; normalised like stored tags', async () => {
    expect(sorted(await names('tag=holiday'))).toEqual(['beach', 'market']);
    expect(sorted(await names('tag=holiday&tag=sea'))).toEqual(['beach']);
    expect(sorted(await names('tag=%20%20SEA%20'))).toEqual(['beach', 'night']);
    expect(await names('tag=nothing')).toEqual([]);
  });

  it('takenFrom and takenTo: a day is the whole day; undated photos are left out', async () => {
    expect(sorted(await names('takenFrom=2024-07-14&takenTo=2024-07-14'))).toEqual(['beach', 'night']);
    expect(sorted(await names('takenFrom=2024-07-14T20:15'))).toEqual(['beach', 'market', 'night']);
    expect(sorted(await names('takenTo=2024-07-14T20:15'))).toEqual(['beach', 'office']);
    expect(sorted(await names('takenTo=2024-07-14T23:59:58'))).toEqual(['beach', 'office']);
    expect(sorted(await names('takenFrom=2025-01-01'))).toEqual([]);
  });

  it('camera, any case; uploader; favorite is the caller’s own', async () => {
    expect(sorted(await names('camera=CANON%20EOS%20R5'))).toEqual(['beach', 'night']);
    expect(sorted(await names(`uploader=${owner.id}`))).toEqual(['beach', 'market', 'night', 'office', 'scan']);
    expect(await names('favorite=true')).toEqual(['beach']);
    expect(await names('favorite=true', owner)).toEqual(['night']);
    expect(await names('favorite=true', cast.admin)).toEqual([]);
    expect(sorted(await names('favorite=false'))).toEqual(['market', 'night', 'office', 'scan']);
  });

  it('combine with q and with each other', async () => {
    expect(await names('q=sea&tag=stars&camera=canon%20eos%20r5&takenFrom=2024-07-14')).toEqual(['night']);
    expect(await names('q=sunset&tag=family')).toEqual([]);
  });

  it.each([
    ['takenFrom=yesterday', 'takenFrom'],
    ['takenTo=2024-13-45', 'takenTo'],
    [`tag=${'x'.repeat(65)}`, 'tag'],
    [Array.from({ length: 11 }, (_, n) => `tag=t${n}`).join('&'), 'tag'],
    ['sort=shot', 'sort'],
    ['favorite=maybe', 'favorite'],
  ])('refuses %s with 400 naming the parameter', async (query, path) => {
    const res = await request(t.app).get(`/api/gallery/images/?${query}`).set(owner.auth).expect(400);
    expect(res.body.details.map((d: { path: string }) => d.path.split('.')[0])).toContain(path);
  });
});

describe('the sort by date taken', () => {
  it('orders by the camera’s time, undated last when newest first and first otherwise, ties by id', async () => {
    expect(await names(`gallery=${gallery}&sort=-taken`)).toEqual(['market', 'night', 'beach', 'office', 'scan']);
    expect(await names(`gallery=${gallery}&sort=taken`)).toEqual(['scan', 'office', 'beach', 'night', 'market']);
  });
});

describe('keyset pages over filtered results', () => {
  it('cover the same list as one long page, without gaps or repeats, for any filter, sort and page size', async () => {
    const queries = [
      '',
      'q=sea',
      'tag=holiday',
      'takenFrom=2023-01-01',
      'q=s',
      'favorite=false',
      'camera=canon%20eos%20r5',
    ];
    const sorts = ['-created', 'created', 'title', '-title', 'taken', '-taken'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...queries),
        fc.constantFrom(...sorts),
        fc.integer({ min: 1, max: 4 }),
        async (query, sort, limit) => {
          const whole = await names(`${query}&sort=${sort}`);
          const paged: string[] = [];
          let next: string | undefined = `/api/gallery/images/?${query}&sort=${sort}&limit=${limit}`;
          while (next) {
            const page: request.Response = await request(t.app).get(next).set(cast.otherPlayer.auth).expect(200);
            const byId = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
            paged.push(...(page.body as { id: number }[]).map((image) => byId.get(image.id) ?? `#${image.id}`));
            next = /<([^>]+)>; rel="next"/.exec(page.headers.link ?? '')?.[1];
          }
          expect(paged).toEqual(whole);
        },
      ),
      { numRuns: 40 },
    );
  });
});
