import fc from 'fast-check';
import request from 'supertest';

import { openDatabase } from '../../src/platform/db/client';
import type { SqlReader } from '../../src/platform/db/sql-reader';
import { createCast, createImage, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * PAGE_JSON: a page of images written as JSON by the database is, byte for byte, the page the
 * server writes from the rows: the same reply bodies and headers from two servers on one database,
 * one of each, for every caller and list. The rows hold what is hardest to write alike: control
 * characters, quotes, emoji, U+2028, numbers tiny and huge, tags whose order differs between
 * UTF-16 and code points, missing values.
 */
let database: TestApp;
let server: TestApp;
let everyoneDatabase: TestApp;
let everyoneServer: TestApp;
let cast: Awaited<ReturnType<typeof createCast>>;
let reader: { reader: SqlReader; close(): Promise<void> };
let galleryId: number;

const HOST = 'gallery.test:8443';

const awkwardTexts = [
  'plain',
  'quote " and backslash \\ and slash /',
  'controls \u0001\b\f\n\r\t\u001f\u007f end',
  'line separators \u2028\u2029',
  'emoji 📷🌅 and accents éàü and CJK 写真',
  '',
  "<script>alert(1)</script> & 'single'",
];
const awkwardNumbers = [
  null,
  0.1,
  1 / 3,
  1 / 60,
  1 / 8000,
  1 / 16000,
  1 / 32000,
  1e-7,
  2.8,
  50,
  1e15,
  1e21,
  123456.789,
];
// The same first unit in UTF-16 order and in code point order would hide a wrong sort: U+FF5E
// sorts after U+1F305 by UTF-16 units (0xFF5E > 0xD83C) and before it by code points.
const awkwardTags = ['～wave', 'zebra', '🌅sunset', 'apple', 'émile'];

beforeAll(async () => {
  database = await startTestApp({ PAGE_JSON: 'database' });
  server = await startTestApp({ PAGE_JSON: 'server' }, { sameDatabaseAs: database });
  everyoneDatabase = await startTestApp(
    { PAGE_JSON: 'database', ORIGINALS_VISIBLE_TO: 'everyone' },
    { sameDatabaseAs: database },
  );
  everyoneServer = await startTestApp(
    { PAGE_JSON: 'server', ORIGINALS_VISIBLE_TO: 'everyone' },
    { sameDatabaseAs: database },
  );
  reader = openDatabase(database.config.databaseUrl);
  cast = await createCast(database);
  galleryId = (
    await request(database.app)
      .post('/api/gallery/galleries/')
      .set(cast.owner.auth)
      .send({ name: 'Gallery "quoted" \\ 📷', description: 'd' })
      .expect(201)
  ).body.id as number;
  await request(database.app)
    .post(`/api/gallery/galleries/${galleryId}/members/`)
    .set(cast.owner.auth)
    .send({ username: cast.otherPlayer.username, role: 'editor' })
    .expect(201);
  // Images uploaded as users do, then given awkward values in place.
  for (let n = 0; n < 14; n++) {
    const uploader = n % 3 === 0 ? cast.otherPlayer : cast.owner;
    const { id } = await createImage(database, uploader, galleryId, `image ${n}`);
    const number = (k: number) => awkwardNumbers[(n + k) % awkwardNumbers.length];
    await database.db.image.update({
      where: { id },
      data: {
        title: awkwardTexts[n % awkwardTexts.length],
        description: awkwardTexts[(n + 3) % awkwardTexts.length],
        focalLength: number(0),
        fNumber: number(4),
        exposureTime: number(8),
        iso: n % 2 ? 100 * n : null,
        cameraModel: n % 2 ? awkwardTexts[(n + 1) % awkwardTexts.length] : null,
        lensModel: n % 3 ? 'Lens "Pro" 24–70' : null,
        capturedAt: n % 4 ? `2024:0${(n % 9) + 1}:1${n % 10} 10:00:00` : null,
        hasGps: n % 2 === 0,
        thumbhash: n % 5 ? null : 'YJqGPQw7sFlslqhFafSE+Q6oJ1h2iHB2Rw',
      },
    });
    for (const name of awkwardTags.filter((_, k) => (n + k) % 2 === 0)) {
      const tag = await database.db.tag.upsert({
        where: { name },
        create: { name },
        update: {},
      });
      await database.db.imageTag.create({ data: { imageId: id, tagId: tag.id } });
    }
    if (n % 3 === 1) await database.db.favorite.create({ data: { userId: cast.subscriber.id, imageId: id } });
  }
});
afterAll(async () => {
  await reader.close();
  for (const app of [everyoneServer, everyoneDatabase, server]) await app.close();
  await database.close();
});

/** The same request to both servers of a pair: status, body bytes and paging headers alike. */
async function sameReply(pair: [TestApp, TestApp], user: TestUser, path: string) {
  const [fromDatabase, fromServer] = await Promise.all(
    pair.map((app) => request(app.app).get(path).set(user.auth).set('Host', HOST)),
  );
  expect(fromDatabase.status).toBe(200);
  expect({
    status: fromServer.status,
    link: fromServer.headers.link,
    total: fromServer.headers['x-total-count'],
  }).toEqual({ status: 200, link: fromDatabase.headers.link, total: fromDatabase.headers['x-total-count'] });
  expect(fromDatabase.text).toBe(fromServer.text);
  return fromDatabase;
}

const LISTS = [
  '/api/gallery/images/',
  '/api/gallery/images/?limit=5&count=true',
  '/api/gallery/images/?sort=title',
  '/api/gallery/images/?sort=-taken&limit=3',
  `/api/gallery/images/?gallery=${0}&tag=zebra`,
  '/api/gallery/images/?q=emoji',
  '/api/gallery/images/?favorite=true',
  '/api/gallery/view-images/?sort=created',
];

it('writes each list the same bytes as the server does, for every caller', async () => {
  const lists = LISTS.map((path) => path.replace('gallery=0', `gallery=${galleryId}`));
  for (const user of [cast.owner, cast.otherPlayer, cast.subscriber, cast.companyUser, cast.admin]) {
    for (const path of lists) {
      if (path.startsWith('/api/gallery/images/') && (user === cast.subscriber || user === cast.companyUser)) continue;
      const reply = await sameReply([database, server], user, path);
      // (Only the Subscriber starred any.)
      if (!path.includes('favorite') || user === cast.subscriber)
        expect((reply.body as unknown[]).length).toBeGreaterThan(0);
    }
  }
  // With every original shown, and for the uploader of a few: originals, not previews.
  const reply = await sameReply([everyoneDatabase, everyoneServer], cast.subscriber, '/api/gallery/view-images/');
  expect((reply.body as { original: string | null }[]).every((image) => image.original !== null)).toBe(true);
});

it('follows the cursor the same way: every page alike, to the end', async () => {
  let path: string | null = '/api/gallery/images/?limit=4&sort=-title';
  let pages = 0;
  while (path) {
    const reply = await sameReply([database, server], cast.owner, path);
    const link = reply.headers.link as string | undefined;
    path = link ? /<([^>]+)>/.exec(link)![1] : null;
    pages += 1;
  }
  expect(pages).toBe(4);
});

it('shows the photos stars and tags of the caller, as stored: the values survive the trip', async () => {
  const reply = await sameReply([database, server], cast.subscriber, '/api/gallery/view-images/?favorite=true');
  const images = reply.body as { favorite: boolean; tags: string[]; title: string }[];
  expect(images.length).toBe(5);
  expect(images.every((image) => image.favorite)).toBe(true);
  const tagged = images.find((image) => image.tags.length > 2)!;
  expect(tagged.tags).toEqual([...tagged.tags].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
});

describe('the JSON the database writes, against JSON.stringify', () => {
  /** `expression` of `v`, a value given as a parameter (once, however often the expression names it). */
  const one = async (expression: string, type: string, value: unknown) =>
    (
      await reader.reader.rows(`SELECT ${expression} FROM (SELECT CAST(? AS ${type}) AS v) given`, [value])
    )[0][0] as string;

  it('writes every finite double as JavaScript does', async () => {
    const { json } = reader.reader;
    const doubles = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.double({ min: 1e-8, max: 1e-3, noNaN: true }),
      fc.double({ min: 1e14, max: 1e22, noNaN: true }),
      fc.integer().map((n) => n / 1000),
      // Past 2^53 PostgreSQL may write a digit more; the ends of the range; negative zero.
      fc.constantFrom(69172248612143260, 18229495044266730, -1.797693134862312e308, Number.MAX_VALUE, 5e-324, -0),
    );
    await fc.assert(
      fc.asyncProperty(doubles, async (value) => {
        expect(await one(json.number('v'), 'DOUBLE PRECISION', value)).toBe(JSON.stringify(value));
      }),
      { numRuns: 300 },
    );
  });

  it('writes every text as JavaScript does', async () => {
    const { json } = reader.reader;
    const texts = fc
      .string({ unit: 'binary', maxLength: 40 })
      .filter((text) => !/\p{Cs}/u.test(text) && !text.includes('\u0000'));
    await fc.assert(
      fc.asyncProperty(texts, async (text) => {
        expect(await one(json.text('v'), 'TEXT', text)).toBe(JSON.stringify(text));
      }),
      { numRuns: 300 },
    );
  });

  it('writes null as null', async () => {
    const { json } = reader.reader;
    expect(await one(json.number('v'), 'DOUBLE PRECISION', null)).toBe('null');
    expect(await one(json.text('v'), 'TEXT', null)).toBe('null');
  });
});
