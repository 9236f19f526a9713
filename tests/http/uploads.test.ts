import { createHash } from 'node:crypto';
import sharp from 'sharp';
import request from 'supertest';

import {
  avifBytes,
  createGallery,
  createImage,
  createUser,
  gifBytes,
  jpegBytes,
  pngBytes,
  uniqueColor,
  upload,
  webpBytes,
  type TestUser,
} from '../helpers/factories';
import { expectStorageInStep } from '../helpers/storage';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { testDbKind } from '../helpers/test-env';

let t: TestApp;
let player: TestUser;
let otherPlayer: TestUser;
let subscriber: TestUser;
let galleryId: number;

beforeAll(async () => {
  t = await startTestApp({ MAX_UPLOAD_BYTES: String(64 * 1024) });
  [player, otherPlayer, subscriber] = await Promise.all([
    createUser(t, 'beta_player'),
    createUser(t, 'beta_player'),
    createUser(t, 'subscriber'),
  ]);
  galleryId = (await createGallery(t, player)).id;
});
afterAll(async () => {
  await t.close();
});

const expectNoStrayFiles = () => expectStorageInStep(t);

async function imageCount() {
  return t.db.image.count();
}

describe('accepted uploads', () => {
  it.each([
    ['PNG', pngBytes, 'image/png'],
    ['JPEG', jpegBytes, 'image/jpeg'],
    ['GIF', gifBytes, 'image/gif'],
    ['WebP', webpBytes, 'image/webp'],
    ['AVIF', avifBytes, 'image/avif'],
  ])('stores a %s with the type read from its bytes, size, sha256 and dimensions', async (_name, make, mimeType) => {
    const bytes = await make();
    const res = await upload(
      t,
      player,
      { gallery: galleryId, title: 'ok', description: 'words' },
      { bytes, filename: 'x.bin', contentType: 'application/octet-stream' },
    ).expect(201);
    expect(res.body).toMatchObject({
      message: 'Image created successfully',
      title: 'ok',
      description: 'words',
      mimeType,
      size: bytes.length,
      width: 4,
      height: 3,
    });
    const row = await t.db.image.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(row.storageKey).not.toContain('x.bin');
    const served = await request(t.app)
      .get(`/api/gallery/images/${row.id}/file?size=original`)
      .set(player.auth)
      .buffer(true)
      .expect(200);
    expect(Buffer.compare(served.body as Buffer, bytes)).toBe(0);
    await request(t.app)
      .get(`/api/gallery/images/${row.id}/file?size=thumb`)
      .set(subscriber.auth)
      .expect(200)
      .expect('Content-Type', 'image/webp');
    await expectNoStrayFiles();
  });

  it('ignores uploaderId and id sent with an upload: the caller is the uploader', async () => {
    const res = await request(t.app)
      .post('/api/gallery/images')
      .set(player.auth)
      .field('title', 'mine')
      .field('gallery', String(galleryId))
      .field('uploaderId', String(otherPlayer.id))
      .field('id', '424242')
      .attach('image', await pngBytes(), 'a.png')
      .expect(201);
    expect(res.body.uploader.id).toBe(player.id);
    expect(res.body.id).not.toBe(424242);
  });

  it('never uses the client filename for the stored path', async () => {
    const res = await upload(
      t,
      player,
      { gallery: galleryId },
      { bytes: await pngBytes(), filename: '../../etc/passwd.png' },
    ).expect(201);
    const row = await t.db.image.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row.storageKey).toMatch(/^[a-f0-9]{32}\.png$/);
  });
});

describe('refused uploads leave nothing behind', () => {
  it('refuses a file over the size limit with 413', async () => {
    const before = await imageCount();
    const big = Buffer.concat([await pngBytes(), Buffer.alloc(70 * 1024)]);
    const res = await upload(t, player, { gallery: galleryId }, { bytes: big });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await imageCount()).toBe(before);
    await expectNoStrayFiles();
  });

  it.each([
    ['HTML named .png', Buffer.from('<html><script>alert(1)</script></html>'), 'evil.png', 'image/png'],
    [
      'SVG',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      'a.svg',
      'image/svg+xml',
    ],
    ['JSON named .jpg', Buffer.from('{"a":1}'), 'a.jpg', 'image/jpeg'],
    [
      'a PNG signature followed by HTML',
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('<html></html>')]),
      'a.png',
      'image/png',
    ],
    ['an empty file', Buffer.alloc(0), 'empty.png', 'image/png'],
  ])('refuses %s with 415 whatever its name and declared type', async (_name, bytes, filename, contentType) => {
    const before = await imageCount();
    const res = await upload(t, player, { gallery: galleryId }, { bytes, filename, contentType });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await imageCount()).toBe(before);
    await expectNoStrayFiles();
  });

  it('refuses an upload without a file with 400', async () => {
    const res = await upload(t, player, { gallery: galleryId }, null).expect(400);
    expect(res.body.details[0].path).toBe('image');
  });

  it('refuses two files with 400', async () => {
    const png = await pngBytes();
    const res = await request(t.app)
      .post('/api/gallery/images')
      .set(player.auth)
      .field('title', 't')
      .field('gallery', String(galleryId))
      .attach('image', png, 'a.png')
      .attach('image', png, 'b.png');
    expect(res.status).toBe(400);
    await expectNoStrayFiles();
  });

  it('refuses a file in another field with 400', async () => {
    const res = await request(t.app)
      .post('/api/gallery/images')
      .set(player.auth)
      .field('title', 't')
      .field('gallery', String(galleryId))
      .attach('photo', await pngBytes(), 'a.png');
    expect(res.status).toBe(400);
    await expectNoStrayFiles();
  });

  it('refuses a missing title or gallery with 400', async () => {
    const png = await pngBytes();
    const res = await request(t.app)
      .post('/api/gallery/images')
      .set(player.auth)
      .field('gallery', String(galleryId))
      .attach('image', png, 'a.png')
      .expect(400);
    expect(res.body.details[0].path).toBe('title');
    await request(t.app)
      .post('/api/gallery/images')
      .set(player.auth)
      .field('title', 'x')
      .attach('image', png, 'a.png')
      .expect(400);
    await expectNoStrayFiles();
  });

  it('refuses an upload into a missing gallery with 400', async () => {
    await upload(t, player, { gallery: 999999 }, { bytes: await pngBytes() }).expect(400);
    await expectNoStrayFiles();
  });

  it("refuses an upload into another user's gallery with 403", async () => {
    const res = await upload(t, otherPlayer, { gallery: galleryId }, { bytes: await pngBytes() }).expect(403);
    expect(res.body.code).toBe('FORBIDDEN');
    await expectNoStrayFiles();
  });

  it('refuses a subscriber with 403 before reading the file', async () => {
    const res = await upload(t, subscriber, { gallery: galleryId }, { bytes: await pngBytes() }).expect(403);
    expect(res.body.message).toBe('You do not have permission to perform this action.');
    await expectNoStrayFiles();
  });

  it('refuses an anonymous upload with 401', async () => {
    const res = await request(t.app)
      .post('/api/gallery/images')
      .field('title', 't')
      .field('gallery', String(galleryId))
      .attach('image', await pngBytes(), 'a.png');
    expect(res.status).toBe(401);
    await expectNoStrayFiles();
  });

  it('refuses a replacement file that is not an image with 415 and keeps the old one', async () => {
    const created = await upload(t, player, { gallery: galleryId }, { bytes: await pngBytes() }).expect(201);
    const before = await t.db.image.findUniqueOrThrow({ where: { id: created.body.id } });
    await request(t.app)
      .patch(`/api/gallery/images/${before.id}`)
      .set(player.auth)
      .attach('image', Buffer.from('GIF89a no'), 'a.gif')
      .expect(415);
    const after = await t.db.image.findUniqueOrThrow({ where: { id: before.id } });
    expect(after.storageKey).toBe(before.storageKey);
    await request(t.app).get(`/api/gallery/images/${before.id}/file`).set(player.auth).expect(200);
    await expectNoStrayFiles();
  });
});

describe('the streaming upload', () => {
  it('refuses a large file that is not an image from its first bytes, leaving nothing', async () => {
    const big = await startTestApp();
    try {
      const user = await createUser(big, 'beta_player');
      const gallery = await createGallery(big, user);
      const html = Buffer.alloc(8 * 1024 * 1024, '<p>not an image</p>');
      const res = await upload(big, user, { gallery: gallery.id }, { bytes: html, filename: 'x.png' });
      expect(res.status).toBe(415);
      expect(big.files()).toEqual([]);
    } finally {
      await big.close();
    }
  });

  it('refuses an image with more pixels than MAX_IMAGE_PIXELS with 413 before decoding it', async () => {
    const strict = await startTestApp({ MAX_IMAGE_PIXELS: '1000' });
    try {
      const user = await createUser(strict, 'beta_player');
      const gallery = await createGallery(strict, user);
      await upload(strict, user, { gallery: gallery.id }, { bytes: await pngBytes(30, 30) }).expect(201);
      const res = await upload(strict, user, { gallery: gallery.id }, { bytes: await pngBytes(40, 40) });
      expect(res.status).toBe(413);
      expect(res.body.message).toMatch(/40×40 pixels/);
      expect(await strict.db.image.count()).toBe(1);
      expect(strict.files().filter((f) => f.startsWith('tmp/'))).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});

describe('storage quotas', () => {
  it('refuses an upload past the quota with 413, and follows a per-user quota set by an admin', async () => {
    const quota = await startTestApp({ STORAGE_QUOTA_MB: '1' });
    try {
      const user = await createUser(quota, 'beta_player');
      const admin = await createUser(quota, 'admin');
      const gallery = await createGallery(quota, user);
      // Uncompressed PNGs of about 0.6 MiB (each its own bytes): one fits in 1 MiB, two do not.
      const png = () =>
        sharp({ create: { width: 500, height: 400, channels: 3, background: uniqueColor() } })
          .png({ compressionLevel: 0 })
          .toBuffer();
      await upload(quota, user, { gallery: gallery.id }, { bytes: await png() }).expect(201);
      const over = await upload(quota, user, { gallery: gallery.id }, { bytes: await png() }).expect(413);
      expect(over.body.message).toMatch(/^Storage quota exceeded: 0\.6 MiB of 1\.0 MiB used/);
      expect(await quota.db.image.count()).toBe(1);
      expect(quota.files().filter((f) => f.startsWith('tmp/'))).toEqual([]);

      const raised = await request(quota.app)
        .patch(`/api/admin/users/${user.id}`)
        .set(admin.auth)
        .send({ storageQuotaMb: 5 })
        .expect(200);
      expect(raised.body.storageQuotaMb).toBe(5);
      await upload(quota, user, { gallery: gallery.id }, { bytes: await png() }).expect(201);
      await request(quota.app)
        .patch(`/api/admin/users/${user.id}`)
        .set(admin.auth)
        .send({ storageQuotaMb: null })
        .expect(200);
      await upload(quota, user, { gallery: gallery.id }, { bytes: await png() }).expect(413);
    } finally {
      await quota.close();
    }
  });
});

describe('a new file for an image, against the quota', () => {
  // Uncompressed PNGs of about 0.6 MiB (each its own bytes): one fits in 1 MiB, two do not.
  const big = () =>
    sharp({ create: { width: 500, height: 400, channels: 3, background: uniqueColor() } })
      .png({ compressionLevel: 0 })
      .toBuffer();
  const replace = (app: TestApp, user: TestUser, id: number, bytes: Buffer) =>
    request(app.app)
      .put(`/api/gallery/images/${id}`)
      .set(user.auth)
      .attach('image', bytes, { filename: 'new.png', contentType: 'image/png' });

  it('is counted for whoever sends it, who becomes the uploader; the previous uploader gets their room back', async () => {
    const quota = await startTestApp({ STORAGE_QUOTA_MB: '1' });
    try {
      const user = await createUser(quota, 'beta_player');
      const admin = await createUser(quota, 'admin');
      const gallery = await createGallery(quota, user);
      const first = await upload(quota, user, { gallery: gallery.id }, { bytes: await big() }).expect(201);
      const small = await createImage(quota, user, gallery.id);
      // The user's own new file is counted for them: with 0.6 MiB used, another 0.6 MiB does not fit.
      const over = await replace(quota, user, small.id, await big()).expect(413);
      expect(over.body.message).toMatch(/^Storage quota exceeded: 0\.6 MiB of 1\.0 MiB used/);
      const kept = await request(quota.app).get(`/api/gallery/images/${small.id}`).set(user.auth).expect(200);
      expect(kept.body.width).toBe(4);
      // What the file replaces is freed: a file of the same size fits where the old one was.
      await replace(quota, user, first.body.id, await big()).expect(200);
      // Someone else's new file is theirs: the admin becomes the uploader, and the user's room comes back.
      const replaced = await replace(quota, admin, first.body.id, await big()).expect(200);
      expect(replaced.body.uploader).toEqual({ id: admin.id, username: admin.username });
      await upload(quota, user, { gallery: gallery.id }, { bytes: await big() }).expect(201);
      await expectStorageInStep(quota);
    } finally {
      await quota.close();
    }
  });

  it('cannot pass the quota together with another, however they race', async () => {
    const quota = await startTestApp({ STORAGE_QUOTA_MB: '1' });
    try {
      const user = await createUser(quota, 'beta_player');
      const gallery = await createGallery(quota, user);
      const images = [await createImage(quota, user, gallery.id), await createImage(quota, user, gallery.id)];
      const files = await Promise.all(images.map(big));
      const replies = await Promise.all(images.map((image, index) => replace(quota, user, image.id, files[index])));
      expect(replies.map((res) => res.status).sort()).toEqual([200, 413]);
      await expectStorageInStep(quota);
    } finally {
      await quota.close();
    }
  });
});

describe('parallel uploads against a quota', () => {
  it('lets exactly as many through as fit, however they race', async () => {
    const quota = await startTestApp({ STORAGE_QUOTA_MB: '1' });
    try {
      const user = await createUser(quota, 'beta_player');
      const gallery = await createGallery(quota, user);
      const png = () =>
        sharp({ create: { width: 500, height: 400, channels: 3, background: uniqueColor() } })
          .png({ compressionLevel: 0 })
          .toBuffer();
      const files = await Promise.all(Array.from({ length: 6 }, png));
      const replies = await Promise.all(files.map((bytes) => upload(quota, user, { gallery: gallery.id }, { bytes })));
      const statuses = replies.map((res) => res.status).sort();
      expect(statuses).toEqual([201, 413, 413, 413, 413, 413]);
      expect(await quota.db.image.count()).toBe(1);
      await expectStorageInStep(quota);
    } finally {
      await quota.close();
    }
  });
});

describe('a failing database', () => {
  it('answers a failed insert with an error and leaves no file behind', async () => {
    const broken = await startTestApp();
    try {
      const user = await createUser(broken, 'beta_player');
      const gallery = await createGallery(broken, user);
      // PostgreSQL refuses while a gallery's cover refers to the table: CASCADE drops that link too.
      await broken.db.$executeRawUnsafe(`DROP TABLE "Image"${testDbKind() === 'postgres' ? ' CASCADE' : ''}`);
      const res = await upload(broken, user, { gallery: gallery.id }, { bytes: await pngBytes() });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ message: 'Something went wrong on our side.', code: 'INTERNAL' });
      expect(broken.files()).toEqual([]);
    } finally {
      await broken.close();
    }
  });
});
