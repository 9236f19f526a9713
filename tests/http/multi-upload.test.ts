import { createHash } from 'node:crypto';
import sharp from 'sharp';
import request from 'supertest';

import { createGallery, createUser, jpegBytes, pngBytes, uniqueColor, type TestUser } from '../helpers/factories';
import { expectStorageInStep } from '../helpers/storage';
import { startTestApp, type TestApp } from '../helpers/test-app';

/*
 * POST /api/gallery/galleries/{id}/images/: several files in one request, each with the result a
 * single upload of it would have had, in order; 200 when all succeeded, 207 otherwise.
 */

let t: TestApp;
let player: TestUser;
let other: TestUser;
let galleryId: number;

const LIMIT = 64 * 1024;

beforeAll(async () => {
  t = await startTestApp({ MAX_UPLOAD_BYTES: String(LIMIT), MAX_FILES_PER_REQUEST: '5' });
  [player, other] = await Promise.all([createUser(t, 'beta_player'), createUser(t, 'beta_player')]);
  galleryId = (await createGallery(t, player)).id;
});
afterAll(async () => {
  await t.close();
});

type Part = { bytes: Buffer; name: string; title?: string; description?: string };

function send(app: TestApp, user: TestUser, gallery: number, parts: Part[]) {
  const req = request(app.app).post(`/api/gallery/galleries/${gallery}/images/`).set(user.auth);
  parts.forEach((part, n) => {
    if (part.title !== undefined) req.field(`title[${n}]`, part.title);
    if (part.description !== undefined) req.field(`description[${n}]`, part.description);
  });
  for (const part of parts) req.attach('image', part.bytes, { filename: part.name, contentType: 'image/jpeg' });
  return req;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** Noise does not compress: a PNG of about `kib` KiB. */
const noisePng = (kib: number) => {
  const side = Math.ceil(Math.sqrt((kib * 1024) / 3));
  const raw = Buffer.alloc(side * side * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (Math.random() * 256) | 0;
  return sharp(raw, { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
};

describe('several files in one request', () => {
  it('answers 200 with one result per file, in order, when every file succeeded', async () => {
    const files = [await jpegBytes(8, 6), await pngBytes(5, 5), await jpegBytes(3, 9)];
    const res = await send(t, player, galleryId, [
      { bytes: files[0], name: 'beach.jpg', title: 'Beach', description: 'At noon' },
      { bytes: files[1], name: 'dunes at dusk.png' },
      { bytes: files[2], name: 'boat.jpeg', description: 'Blue' },
    ]).expect(200);
    expect(res.body.results.map((r: { file: string; status: number }) => [r.file, r.status])).toEqual([
      ['beach.jpg', 201],
      ['dunes at dusk.png', 201],
      ['boat.jpeg', 201],
    ]);
    const images = res.body.results.map((r: { image: Record<string, unknown> }) => r.image);
    expect(images.map((image: { title: string }) => image.title)).toEqual(['Beach', 'dunes at dusk', 'boat']);
    expect(images.map((image: { description: string }) => image.description)).toEqual(['At noon', '', 'Blue']);
    expect(images.map((image: { sha256: string }) => image.sha256)).toEqual(files.map(sha256));
    expect(images[0]).toMatchObject({ message: 'Image created successfully', gallery: galleryId, width: 8 });
    expect(await t.db.image.count({ where: { galleryId } })).toBe(3);
    await expectStorageInStep(t);
  });

  it('answers 207 with each file as it would have gone alone: good, not an image, too large, a duplicate, a bad title', async () => {
    const good = await jpegBytes(6, 6);
    const again = await jpegBytes(7, 7);
    await send(t, player, galleryId, [{ bytes: again, name: 'first.jpg' }]).expect(200);
    const before = await t.db.image.count();
    const res = await send(t, player, galleryId, [
      { bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg> and then some more text'), name: 'x.jpg' },
      { bytes: good, name: 'good.jpg', title: 'Good' },
      { bytes: await noisePng(LIMIT / 1024 + 16), name: 'huge.png' },
      { bytes: again, name: 'again.jpg', title: 'Other title' },
      { bytes: await jpegBytes(5, 5), name: 'long.jpg', title: 'x'.repeat(201) },
    ]).expect(207);
    const results = res.body.results as { file: string; status: number; image?: { id: number }; error?: object }[];
    expect(results.map((r) => [r.file, r.status])).toEqual([
      ['x.jpg', 415],
      ['good.jpg', 201],
      ['huge.png', 413],
      ['again.jpg', 200],
      ['long.jpg', 400],
    ]);
    expect(results[0].error).toEqual({ message: expect.stringMatching(/image/i), code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(results[2].error).toEqual({
      message: 'The file is larger than the upload limit.',
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect(results[3].image).toMatchObject({ message: 'This gallery already has this image', title: 'first' });
    expect(results[4].error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'title' }] });
    expect(results[0].image).toBeUndefined();
    expect(results[1].error).toBeUndefined();
    expect(await t.db.image.count()).toBe(before + 1);
    await expectStorageInStep(t);
  });

  it('crossing the quota in the middle: the files after it are refused with 413, nothing half-written', async () => {
    const quota = await startTestApp({ STORAGE_QUOTA_MB: '1', MAX_FILES_PER_REQUEST: '10' });
    try {
      const user = await createUser(quota, 'beta_player');
      const gallery = await createGallery(quota, user);
      // About 0.3 MiB each: three fit in 1 MiB, the fourth does not, nor any after it.
      const files = await Promise.all(
        Array.from({ length: 6 }, () =>
          sharp({ create: { width: 320, height: 320, channels: 3, background: uniqueColor() } })
            .png({ compressionLevel: 0 })
            .toBuffer(),
        ),
      );
      const res = await send(
        quota,
        user,
        gallery.id,
        files.map((bytes, n) => ({ bytes, name: `p${n}.png` })),
      ).expect(207);
      const results = res.body.results as { status: number; error?: { code: string; message: string } }[];
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 413, 413, 413]);
      expect(results[3].error).toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
        message: expect.stringMatching(/^Storage quota exceeded/),
      });
      expect(await quota.db.image.count()).toBe(3);
      await expectStorageInStep(quota);
    } finally {
      await quota.close();
    }
  });

  it('refuses more files than MAX_FILES_PER_REQUEST with 413 and stores none of them', async () => {
    const before = await t.db.image.count();
    const parts = await Promise.all(
      Array.from({ length: 6 }, async (_, n) => ({ bytes: await jpegBytes(), name: `${n}.jpg` })),
    );
    const res = await send(t, player, galleryId, parts).expect(413);
    expect(res.body).toEqual({ message: 'At most 5 files per request.', code: 'PAYLOAD_TOO_LARGE' });
    expect(await t.db.image.count()).toBe(before);
    await expectStorageInStep(t);
  });

  it('answers 400 JSON without files, for a title of no file, and for titles not named by place', async () => {
    const none = await request(t.app)
      .post(`/api/gallery/galleries/${galleryId}/images`)
      .set(player.auth)
      .field('title[0]', 'x');
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/^image: /) });
    const extra = await send(t, player, galleryId, [{ bytes: await jpegBytes(), name: 'a.jpg' }]).field(
      'title[3]',
      'x',
    );
    expect(extra.status).toBe(400);
    expect(extra.body.message).toBe('title[3]: There is no file at that place.');
    const plain = await send(t, player, galleryId, [{ bytes: await jpegBytes(), name: 'a.jpg' }]).field('title', 'x');
    expect(plain.status).toBe(400);
    expect(plain.body.message).toMatch(/^title: Name the fields title\[0\]/);
    const far = await send(t, player, galleryId, [{ bytes: await jpegBytes(), name: 'a.jpg' }]).field(
      'title[99999999]',
      'x',
    );
    expect(far.status).toBe(400);
    const elsewhere = await request(t.app)
      .post(`/api/gallery/galleries/${galleryId}/images`)
      .set(player.auth)
      .attach('photo', await jpegBytes(), 'a.jpg');
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body).toEqual({ message: 'Send the files in fields named "image".', code: 'VALIDATION_FAILED' });
    await expectStorageInStep(t);
  });

  it('needs write access to the gallery: 404 for a gallery the caller cannot see, 403 for one they may only see', async () => {
    const files = [{ bytes: await jpegBytes(), name: 'a.jpg' }];
    const missing = await send(t, player, 999999, files).expect(404);
    expect(missing.body).toEqual({ message: 'Gallery not found', code: 'NOT_FOUND' });
    const notTheirs = await send(t, other, galleryId, files).expect(403);
    expect(notTheirs.body.code).toBe('FORBIDDEN');
    await expectStorageInStep(t);
  });

  it('keeps the single-file endpoint as it was', async () => {
    const res = await request(t.app)
      .post('/api/gallery/images/')
      .set(player.auth)
      .field('title', 'Single')
      .field('gallery', String(galleryId))
      .attach('image', await jpegBytes(), 'single.jpg')
      .expect(201);
    expect(res.body).toMatchObject({ message: 'Image created successfully', title: 'Single' });
  });
});

describe('parallel requests of several files against a quota', () => {
  it('never lets a user past the quota, whatever the interleaving of 100+ requests', async () => {
    const quota = await startTestApp({ STORAGE_QUOTA_MB: '1', MAX_FILES_PER_REQUEST: '10' });
    try {
      const user = await createUser(quota, 'beta_player');
      const gallery = await createGallery(quota, user);
      // 120 requests of 3 distinct files of about 20 KiB: 360 files, about 7 MiB for a quota of 1 MiB.
      const file = () =>
        sharp({ create: { width: 82, height: 82, channels: 3, background: uniqueColor() } })
          .png({ compressionLevel: 0 })
          .toBuffer();
      const requests = await Promise.all(
        Array.from({ length: 120 }, async (_, r) =>
          Promise.all([0, 1, 2].map(async (n) => ({ bytes: await file(), name: `r${r}-${n}.png` }))),
        ),
      );
      const replies = await Promise.all(requests.map((parts) => send(quota, user, gallery.id, parts)));
      const statuses = replies.flatMap((res) => res.body.results.map((r: { status: number }) => r.status));
      for (const res of replies) {
        const allCreated = res.body.results.every((r: { status: number }) => r.status === 201);
        expect(res.status).toBe(allCreated ? 200 : 207);
      }
      const created = statuses.filter((status: number) => status === 201).length;
      expect(created + statuses.filter((status: number) => status === 413).length).toBe(360);
      const used = await quota.db.image.aggregate({ where: { uploaderId: user.id }, _sum: { size: true } });
      expect(used._sum.size).toBeLessThanOrEqual(1024 * 1024);
      expect(await quota.db.image.count()).toBe(created);
      expect(created).toBeGreaterThan(30);
      await expectStorageInStep(quota);
    } finally {
      await quota.close();
    }
  }, 120_000);
});
