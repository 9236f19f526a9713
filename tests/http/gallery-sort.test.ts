import request from 'supertest';

import { createCast, createGallery, pngBytes, upload, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The images of one gallery in each order (added: newest or oldest first; title: A to Z or Z to
 * A), paged by keyset: every image exactly once, in the order of its sort key and then its id,
 * however many images share a key (parallel uploads in the same millisecond, equal titles).
 */
let t: TestApp;
let owner: TestUser;
let viewer: TestUser;
let galleryId: number;
type Row = { id: number; title: string; createdAt: string };

beforeAll(async () => {
  t = await startTestApp();
  ({ owner, subscriber: viewer } = await createCast(t));
  galleryId = (await createGallery(t, owner, 'Sorted')).id;
});
afterAll(async () => {
  await t.close();
});

/** Follows the Link headers from `path` to the end; every image seen, in order, and the pages. */
async function walk(path: string): Promise<{ rows: Row[]; pages: number }> {
  const rows: Row[] = [];
  let next: string | undefined = path;
  let pages = 0;
  while (next) {
    const res: request.Response = await request(t.app).get(next).set(viewer.auth).expect(200);
    rows.push(...(res.body as Row[]));
    next = res.headers.link ? /<([^>]+)>; rel="next"/.exec(res.headers.link)![1] : undefined;
    pages++;
  }
  return { rows, pages };
}

const list = (sort: string, limit: number) =>
  `/api/gallery/view-images/?gallery=${galleryId}&sort=${sort}&limit=${limit}`;

/** What the database holds, in the order a sort must give: its key, then the id, each way. */
async function expected(sort: string): Promise<number[]> {
  const rows = await t.db.image.findMany({ where: { galleryId }, select: { id: true, title: true, createdAt: true } });
  const key = (row: (typeof rows)[number]) =>
    sort.endsWith('created') ? row.createdAt.toISOString() : row.title.toLowerCase();
  const sign = sort.startsWith('-') ? -1 : 1;
  rows.sort((a, b) => sign * (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id));
  return rows.map((row) => row.id);
}

describe('sorting the images of a gallery', () => {
  it('keeps the order of parallel uploads by time added and then id, across pages', async () => {
    const bytes = await Promise.all(Array.from({ length: 24 }, () => pngBytes()));
    const replies = await Promise.all(
      bytes.map((b, i) => upload(t, owner, { gallery: galleryId, title: `Upload ${i % 5}` }, { bytes: b })),
    );
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 201));
    // Some of them in the very same millisecond, as parallel uploads may well be.
    const ids = replies.map((r) => r.body.id as number);
    const same = new Date('2026-06-01T12:00:00.000Z');
    await t.db.image.updateMany({ where: { id: { in: ids.slice(4, 14) } }, data: { createdAt: same } });
    for (const [sort, limit] of [
      ['-created', 3],
      ['created', 4],
      ['-created', 1],
    ] as const) {
      const { rows, pages } = await walk(list(sort, limit));
      expect(rows.map((row) => row.id)).toEqual(await expected(sort));
      expect(pages).toBe(Math.ceil(24 / limit));
    }
  });

  it('sorts by title both ways, equal titles (any case) by id, across pages', async () => {
    const ids = (await t.db.image.findMany({ where: { galleryId }, select: { id: true } })).map((row) => row.id);
    // Titles that differ only in case are equal for the sort.
    await t.db.image.updateMany({ where: { id: { in: ids.slice(0, 6) } }, data: { title: 'beach' } });
    await t.db.image.updateMany({ where: { id: { in: ids.slice(6, 9) } }, data: { title: 'BEACH' } });
    for (const [sort, limit] of [
      ['title', 2],
      ['-title', 5],
    ] as const) {
      const { rows } = await walk(list(sort, limit));
      expect(rows.map((row) => row.id)).toEqual(await expected(sort));
      const titles = rows.map((row) => row.title.toLowerCase());
      expect(titles).toEqual(
        [...titles].sort((a, b) => (sort === 'title' ? (a < b ? -1 : a > b ? 1 : 0) : a < b ? 1 : a > b ? -1 : 0)),
      );
    }
  });

  it('stays whole while images are added between pages', async () => {
    const first = await request(t.app).get(list('title', 5)).set(viewer.auth).expect(200);
    const seen = new Set((first.body as Row[]).map((row) => row.id));
    // An image sorting before the cursor does not shift the next pages; one after it shows up.
    const early = await upload(t, owner, { gallery: galleryId, title: 'aaa first' }, { bytes: await pngBytes() });
    const late = await upload(t, owner, { gallery: galleryId, title: 'zzz last' }, { bytes: await pngBytes() });
    const rest = await walk(/<([^>]+)>; rel="next"/.exec(first.headers.link)![1]);
    for (const row of rest.rows) {
      expect(seen.has(row.id)).toBe(false);
      seen.add(row.id);
    }
    expect(seen.has(early.body.id as number)).toBe(false);
    expect(seen.has(late.body.id as number)).toBe(true);
    expect(seen.size).toBe(26 - 1);
  });

  it('refuses an unknown sort and a cursor of another sort with 400', async () => {
    const bad = await request(t.app)
      .get(`${list('shot', 5)}`)
      .set(viewer.auth)
      .expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    const page = await request(t.app).get(list('title', 2)).set(viewer.auth).expect(200);
    const cursor = new URL(/<([^>]+)>; rel="next"/.exec(page.headers.link)![1], 'http://x').searchParams.get('cursor');
    await request(t.app)
      .get(`${list('-created', 2)}&cursor=${cursor}`)
      .set(viewer.auth)
      .expect(400);
  });
});
