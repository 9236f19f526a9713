import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Client } from 'pg';
import sharp from 'sharp';
import request from 'supertest';

import { deployMigrations, loadMigrations } from '../../src/platform/db/migrate';
import { createCast, createGallery, upload } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { postgresBaseUrl, testDbKind, withDatabase } from '../helpers/test-env';

/*
 * EXIF orientation end to end: an image's width and height are the size it is shown at (after its
 * orientation), its variants are upright, its original keeps its bytes; rows stored before, with
 * the size as encoded, are corrected once by a migration.
 */

let t: TestApp;
let cast: Awaited<ReturnType<typeof createCast>>;
let galleryId: number;

beforeAll(async () => {
  t = await startTestApp();
  cast = await createCast(t);
  galleryId = (await createGallery(t, cast.owner)).id;
});
afterAll(async () => {
  await t.close();
});

/** As encoded: 80 wide, 40 high; its top left quarter red, the rest blue. */
const W = 80;
const H = 40;
const ORIENTATIONS = [1, 2, 3, 4, 5, 6, 7, 8] as const;
type Orientation = (typeof ORIENTATIONS)[number];

/** A JPEG of W×H pixels as encoded, tagged with an EXIF orientation. */
async function fixture(orientation: Orientation): Promise<Buffer> {
  const pixels = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const red = x < W / 2 && y < H / 2;
      pixels.set(red ? [255, 0, 0] : [0, 0, 255], (y * W + x) * 3);
    }
  }
  return sharp(pixels, { raw: { width: W, height: H, channels: 3 } })
    .jpeg({ quality: 95, chromaSubsampling: '4:4:4' })
    .withMetadata({ orientation })
    .toBuffer();
}

/** Orientations 5–8 turn the picture a quarter: shown H wide and W high. */
const displayed = (orientation: Orientation) => (orientation >= 5 ? { width: H, height: W } : { width: W, height: H });

/**
 * Where the encoded pixel (x, y) is shown, by the EXIF definitions: e.g. 6, "the 0th row is the
 * visual right-hand side, the 0th column the visual top".
 */
function shownAt(orientation: Orientation, x: number, y: number): [number, number] {
  switch (orientation) {
    case 1:
      return [x, y];
    case 2:
      return [W - 1 - x, y];
    case 3:
      return [W - 1 - x, H - 1 - y];
    case 4:
      return [x, H - 1 - y];
    case 5:
      return [y, x];
    case 6:
      return [H - 1 - y, x];
    case 7:
      return [H - 1 - y, W - 1 - x];
    case 8:
      return [y, W - 1 - x];
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const file = (id: number, size: string) =>
  request(t.app).get(`/api/gallery/images/${id}/file/?size=${size}`).set(cast.owner.auth).buffer(true).expect(200);

type Uploaded = { orientation: Orientation; bytes: Buffer; body: Record<string, unknown> & { id: number } };
let uploaded: Uploaded[];

beforeAll(async () => {
  uploaded = [];
  for (const orientation of ORIENTATIONS) {
    const bytes = await fixture(orientation);
    const res = await upload(
      t,
      cast.owner,
      { gallery: galleryId, title: `orientation ${orientation}` },
      { bytes, filename: `o${orientation}.jpg`, contentType: 'image/jpeg' },
    ).expect(201);
    uploaded.push({ orientation, bytes, body: res.body });
  }
});

describe('an image turned by its EXIF orientation (a fixture for each of the 8)', () => {
  it('is given in every reply at the size it is shown at, with its orientation kept', async () => {
    const expected = ORIENTATIONS.map((orientation) => ({ orientation, ...displayed(orientation) }));
    const sizes = (images: Record<string, unknown>[]) =>
      images.map(({ orientation, width, height }) => ({ orientation, width, height }));
    expect(sizes(uploaded.map((u) => u.body))).toEqual(expected);

    const one = await Promise.all(
      uploaded.map(
        async (u) => (await request(t.app).get(`/api/gallery/images/${u.body.id}/`).set(cast.owner.auth)).body,
      ),
    );
    expect(sizes(one)).toEqual(expected);
    const list = await request(t.app)
      .get(`/api/gallery/images/?gallery=${galleryId}&limit=50`)
      .set(cast.owner.auth)
      .expect(200);
    const listed = (list.body as Record<string, unknown>[]).filter((image) => typeof image.orientation === 'number');
    expect(sizes(listed).sort((a, b) => Number(a.orientation) - Number(b.orientation))).toEqual(expected);
  });

  it('has an upright thumbnail and preview of the size in its reply, and its original as uploaded', async () => {
    for (const { orientation, bytes, body } of uploaded) {
      for (const size of ['thumb', 'preview']) {
        const variant = await sharp((await file(body.id, size)).body as Buffer)
          .raw()
          .toBuffer({ resolveWithObject: true });
        const { width, height, channels } = variant.info;
        expect({ orientation, size, width, height }).toEqual({
          orientation,
          size,
          width: body.width,
          height: body.height,
        });
        // The encoded top left quarter's middle is red where it is shown; the bottom right's is blue.
        const colour = ([x, y]: [number, number]) => {
          const at = (y * width + x) * channels;
          return variant.data[at] > 200 && variant.data[at + 2] < 60 ? 'red' : 'not red';
        };
        expect({ orientation, size, red: colour(shownAt(orientation, W / 4, H / 4)) }).toEqual({
          orientation,
          size,
          red: 'red',
        });
        expect(colour(shownAt(orientation, (3 * W) / 4, (3 * H) / 4))).toBe('not red');
      }
      const original = (await file(body.id, 'original')).body as Buffer;
      expect(sha256(original)).toBe(sha256(bytes));
      expect(body.sha256).toBe(sha256(bytes));
      expect((await sharp(original).metadata()).orientation).toBe(orientation);
    }
  });

  it('is given at the size it is shown at after its file is replaced', async () => {
    const image = uploaded[0].body;
    const turned = await sharp(await fixture(6))
      .withMetadata({ orientation: 8 })
      .toBuffer();
    const res = await request(t.app)
      .put(`/api/gallery/images/${image.id}/`)
      .set(cast.owner.auth)
      .attach('image', turned, { filename: 'turned.jpg', contentType: 'image/jpeg' })
      .expect(200);
    expect(res.body).toMatchObject({ orientation: 8, width: H, height: W });
    const thumb = await sharp((await file(image.id, 'thumb')).body as Buffer).metadata();
    expect({ width: thumb.width, height: thumb.height }).toEqual({ width: H, height: W });
  });
});

/** An empty database of the kind the suite runs on, to migrate step by step. */
async function scratchDatabase() {
  if (testDbKind() === 'sqlite') {
    const path = join(process.env.TEST_TMP_DIR!, `orientation-${randomUUID()}.db`);
    const rows = (sql: string) => {
      const db = new Sqlite(path);
      try {
        const selected = sql.trim().toUpperCase().startsWith('SELECT');
        return Promise.resolve(selected ? (db.prepare(sql).all() as Record<string, unknown>[]) : (db.exec(sql), []));
      } finally {
        db.close();
      }
    };
    return { url: `file:${path}`, rows, drop: () => Promise.resolve() };
  }
  const name = `gallery_orientation_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: postgresBaseUrl() });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = withDatabase(postgresBaseUrl(), name);
  const rows = async (sql: string) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };
  return { url, rows, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

describe('images stored before: width and height as encoded', () => {
  it('are turned to the size they are shown at by a migration, once', async () => {
    const scratch = await scratchDatabase();
    try {
      const migrations = loadMigrations(scratch.url);
      const at = migrations.findIndex((m) => m.name.endsWith('_displayed_image_size'));
      expect(at).toBeGreaterThan(0);
      await deployMigrations(scratch.url, migrations.slice(0, at));
      // As the code before stored them: the encoded size, whatever the orientation.
      const images = [1, 2, 3, 4, 5, 6, 7, 8, null].map(
        (orientation, n) =>
          `(1, 1, 'o${orientation}', 'k${n}', 'image/jpeg', 1, 's${n}', 4032, 3024, ${orientation ?? 'NULL'}, '2026-01-01T00:00:00.000+00:00')`,
      );
      images.push(`(1, 1, 'no size', 'k9', 'image/jpeg', 1, 's9', NULL, NULL, 6, '2026-01-01T00:00:00.000+00:00')`);
      await scratch.rows(`
        INSERT INTO "Role" (name, label) VALUES ('beta_player', 'Beta Player');
        INSERT INTO "User" (username, "usernameLower", email, "emailLower", "passwordHash", "roleId") VALUES ('Ann', 'ann', 'a@x', 'a@x', 'h', 1);
        INSERT INTO "Gallery" (name, description, "ownerId", "updatedAt") VALUES ('Phone', '', 1, '2026-01-01T00:00:00.000+00:00');
        INSERT INTO "Image" ("galleryId", "uploaderId", title, "storageKey", "mimeType", size, sha256, width, height, orientation, "updatedAt")
          VALUES ${images.join(',\n')};
      `);
      const read = () => scratch.rows('SELECT title, width, height, "updatedAt" FROM "Image" ORDER BY id');
      const before = await read();

      expect((await deployMigrations(scratch.url)).applied).toEqual(migrations.slice(at).map((m) => m.name));
      const after = await read();
      expect(after.map((row) => `${String(row.title)} ${String(row.width)}×${String(row.height)}`)).toEqual([
        'o1 4032×3024',
        'o2 4032×3024',
        'o3 4032×3024',
        'o4 4032×3024',
        'o5 3024×4032',
        'o6 3024×4032',
        'o7 3024×4032',
        'o8 3024×4032',
        'onull 4032×3024',
        'no size null×null',
      ]);
      // The pictures did not change: their rows keep their time of change.
      expect(after.map((row) => String(row.updatedAt))).toEqual(before.map((row) => String(row.updatedAt)));

      // Started again (and again): nothing is turned twice.
      expect((await deployMigrations(scratch.url)).applied).toEqual([]);
      expect((await deployMigrations(scratch.url)).applied).toEqual([]);
      expect(await read()).toEqual(after);
    } finally {
      await scratch.drop();
    }
  });
});
