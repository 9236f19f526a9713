import Sqlite from 'better-sqlite3';
import { Client } from 'pg';
import request from 'supertest';

import { sqliteFilePath } from '../../src/platform/db/client';
import { createCast, createGallery, createImage } from '../helpers/factories';
import { valueOf } from '../helpers/observe';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * PAGE_CACHE_MB: pages of images kept while the database does not change. Whatever changes the
 * database — this server's own routes, another connection (another process or node, Prisma
 * Studio, psql) — the next page shows it; one caller's page is never another's.
 */
const onSqlite = process.env.TEST_DB !== 'postgres';

/** Runs one statement on a connection of its own, as another process would. */
async function elsewhere(sql: string, params: unknown[]) {
  if (onSqlite) {
    const other = new Sqlite(sqliteFilePath(t.config.databaseUrl));
    try {
      other.prepare(sql.replace(/\$\d/g, '?')).run(...params);
    } finally {
      other.close();
    }
    return;
  }
  const other = new Client({ connectionString: t.config.databaseUrl });
  await other.connect();
  try {
    await other.query(sql, params);
  } finally {
    await other.end();
  }
}

let t: TestApp;
let cast: Awaited<ReturnType<typeof createCast>>;
let galleryId: number;
const ids: number[] = [];

const PAGE = '/api/gallery/images/';
// One Host for all: the file URLs in a page are made from it (supertest's own changes at each request).
const HOST = 'gallery.test';
const page = (auth: { Authorization: string }, path = PAGE) =>
  request(t.app).get(path).set('Host', HOST).set(auth).expect(200);
const cacheCount = async (result: 'hit' | 'miss' | 'off') =>
  valueOf((await request(t.app).get('/metrics').expect(200)).text, `gallery_page_cache_total{result="${result}"}`);

beforeAll(async () => {
  t = await startTestApp({ METRICS: 'on' });
  cast = await createCast(t);
  galleryId = (await createGallery(t, cast.owner)).id;
  for (let n = 0; n < 6; n++) ids.push((await createImage(t, cast.owner, galleryId, `photo ${n}`)).id);
});

afterAll(() => t.close());

describe('pages kept while the database does not change', () => {
  it('answers the same page again from memory, byte for byte', async () => {
    // PostgreSQL's commit mark is the whole server's: a write in another database on it (the other
    // test files, in CI) also drops kept pages. So the pair is tried again until nothing wrote between.
    let hit = false;
    for (let attempt = 0; attempt < 20 && !hit; attempt++) {
      const hits = await cacheCount('hit');
      const first = await page(cast.owner.auth);
      const second = await page(cast.owner.auth);
      hit = (await cacheCount('hit')) > hits;
      expect(second.text).toBe(first.text);
      expect(second.headers.link).toBe(first.headers.link);
    }
    expect(hit).toBe(true);
  });

  it('shows a change made through the API on the very next page', async () => {
    await page(cast.owner.auth);
    await request(t.app).patch(`${PAGE}${ids[0]}`).set(cast.owner.auth).send({ title: 'renamed' }).expect(200);
    const titles = (await page(cast.owner.auth)).body.map((image: { title: string }) => image.title);
    expect(titles).toContain('renamed');
    await request(t.app).put(`${PAGE}${ids[1]}/favorite`).set(cast.owner.auth).expect(200);
    const starred = (await page(cast.owner.auth)).body.find((image: { id: number }) => image.id === ids[1]);
    expect(starred.favorite).toBe(true);
  });

  it('shows a change made by another connection (another process or node, Studio)', async () => {
    await page(cast.owner.auth);
    await elsewhere('UPDATE "Image" SET "title" = $1 WHERE "id" = $2', ['changed elsewhere', ids[2]]);
    const titles = (await page(cast.owner.auth)).body.map((image: { title: string }) => image.title);
    expect(titles).toContain('changed elsewhere');
  });

  it("never answers one caller's page to another, nor one address's to another", async () => {
    await request(t.app).put(`${PAGE}${ids[3]}/favorite`).set(cast.owner.auth).expect(200);
    const owners = await page(cast.owner.auth);
    const subscribers = await page(cast.subscriber.auth, '/api/gallery/view-images/');
    const starredFor = (body: { id: number; favorite: boolean }[]) => body.find((i) => i.id === ids[3])!.favorite;
    expect(starredFor(owners.body)).toBe(true);
    expect(starredFor(subscribers.body)).toBe(false);
    // The owner sees the originals of their own images; the subscriber, the previews.
    expect(owners.body[0].original).not.toBeNull();
    expect(subscribers.body[0].original).toBeNull();
    const elsewhere = await request(t.app)
      .get(PAGE)
      .set(cast.owner.auth)
      .set('Host', 'photos.example.test')
      .expect(200);
    expect(elsewhere.body[0].image).toMatch(/^http:\/\/photos\.example\.test\//);
    expect(owners.body[0].image).not.toMatch(/photos\.example\.test/);
  });

  it('keeps a page per list asked for: filters, sorts, cursors and counts', async () => {
    const bySort = await page(cast.owner.auth, `${PAGE}?sort=title`);
    const byOtherSort = await page(cast.owner.auth, `${PAGE}?sort=-title`);
    expect(byOtherSort.body.map((i: { id: number }) => i.id)).toEqual(
      [...bySort.body.map((i: { id: number }) => i.id)].reverse(),
    );
    const firstTwo = await page(cast.owner.auth, `${PAGE}?limit=2&count=true`);
    expect(firstTwo.headers['x-total-count']).toBe('6');
    const next = /<([^>]+)>/.exec(String(firstTwo.headers.link))![1];
    const nextTwo = await page(cast.owner.auth, next);
    expect(nextTwo.body).toHaveLength(2);
    expect(nextTwo.body[0].id).not.toBe(firstTwo.body[0].id);
  });

  it('stays exact under 100 reads in parallel with writes', async () => {
    const writes = ids.map((id, n) =>
      request(t.app)
        .patch(`${PAGE}${id}`)
        .set(cast.owner.auth)
        .send({ title: `final ${n}` }),
    );
    const reads = Array.from({ length: 100 }, () => request(t.app).get(PAGE).set('Host', HOST).set(cast.owner.auth));
    const replies = await Promise.all([...writes, ...reads]);
    for (const reply of replies) expect(reply.status).toBe(200);
    const titles = (await page(cast.owner.auth)).body.map((image: { title: string }) => image.title).sort();
    expect(titles).toEqual(ids.map((_, n) => `final ${n}`).sort());
  });

  it('is off with PAGE_CACHE_MB=0', async () => {
    const off = await startTestApp({ PAGE_CACHE_MB: '0', METRICS: 'on' }, { sameDatabaseAs: t });
    try {
      for (let n = 0; n < 2; n++) await request(off.app).get(PAGE).set('Host', HOST).set(cast.owner.auth).expect(200);
      const text = (await request(off.app).get('/metrics').expect(200)).text;
      expect(valueOf(text, 'gallery_page_cache_total{result="off"}')).toBe(2);
      expect(valueOf(text, 'gallery_page_cache_total{result="hit"}')).toBe(0);
    } finally {
      await off.close();
    }
  });
});
