import request from 'supertest';

import {
  createCast,
  createGallery,
  createImage,
  createUser,
  jpegBytes,
  pngBytes,
  upload,
  type TestUser,
} from '../helpers/factories';
import { expectStorageInStep } from '../helpers/storage';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let owner: TestUser;
let otherPlayer: TestUser;
let subscriber: TestUser;
let companyUser: TestUser;
let admin: TestUser;
let galleryId: number;

beforeAll(async () => {
  t = await startTestApp();
  ({ owner, otherPlayer, subscriber, companyUser, admin } = await createCast(t));
  galleryId = (await createGallery(t, owner)).id;
});
afterAll(async () => {
  await t.close();
});

const NO_PERMISSION = 'You do not have permission to perform this action.';

describe('full-access listing, /api/gallery/images', () => {
  it("lists images newest first with the original's fields", async () => {
    const first = await createImage(t, owner, galleryId, 'first');
    const second = await createImage(t, owner, galleryId, 'second');
    const res = await request(t.app).get('/api/gallery/images/').set(owner.auth).expect(200);
    expect(Array.isArray(res.body)).toBe(true);
    const ids = res.body.map((image: { id: number }) => image.id);
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
    const item = res.body.find((image: { id: number }) => image.id === first.id);
    expect(item).toMatchObject({
      id: first.id,
      title: 'first',
      description: '',
      gallery: galleryId,
      image: expect.stringMatching(new RegExp(`/api/gallery/images/${first.id}/file/\\?v=[a-f0-9]{16}&size=original$`)),
      uploader: { id: owner.id, username: owner.username },
      mimeType: 'image/png',
      width: 4,
      height: 3,
    });
    expect(typeof item.gallery_name).toBe('string');
    expect(item).not.toHaveProperty('storageKey');
  });

  it.each(['subscriber', 'companyUser'])('refuses a %s with 403 and the original message', async (who) => {
    const user = who === 'subscriber' ? subscriber : companyUser;
    const res = await request(t.app).get('/api/gallery/images').set(user.auth).expect(403);
    expect(res.body).toEqual({ message: NO_PERMISSION, code: 'FORBIDDEN' });
  });

  it('filters by gallery', async () => {
    const other = await createGallery(t, otherPlayer);
    const image = await createImage(t, otherPlayer, other.id);
    const res = await request(t.app).get(`/api/gallery/images?gallery=${other.id}`).set(owner.auth).expect(200);
    expect(res.body.map((i: { id: number }) => i.id)).toEqual([image.id]);
  });

  it('pages with ?limit= and an opaque cursor in a Link header, keeping the filter', async () => {
    const gallery = await createGallery(t, owner);
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await createImage(t, owner, gallery.id, `p${i}`)).id);
    const seen: number[] = [];
    let next: string | undefined = `/api/gallery/images/?gallery=${gallery.id}&limit=2`;
    let pages = 0;
    while (next) {
      const res: request.Response = await request(t.app).get(next).set(owner.auth).expect(200);
      seen.push(...res.body.map((i: { id: number }) => i.id));
      next = res.headers.link ? /<([^>]+)>; rel="next"/.exec(res.headers.link)![1] : undefined;
      if (next) expect(next).toContain(`gallery=${gallery.id}`);
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...made].reverse());
  });

  it.each([
    ['a limit over 200', 'limit=201'],
    ['a limit of 0', 'limit=0'],
    ['a non-numeric gallery', 'gallery=abc'],
    ['a forged cursor', 'cursor=not-a-cursor!'],
    ['a cursor that decodes to garbage', `cursor=${Buffer.from('id:-5').toString('base64url')}`],
  ])('refuses %s with 400', async (_name, query) => {
    const res = await request(t.app).get(`/api/gallery/images?${query}`).set(owner.auth).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('view-only endpoints, /api/gallery/view-images', () => {
  it('lists and shows images to every signed-in role (the original 500ed on one)', async () => {
    const image = await createImage(t, owner, galleryId);
    for (const user of [subscriber, companyUser, owner, admin]) {
      const list = await request(t.app).get('/api/gallery/view-images/').set(user.auth).expect(200);
      expect(list.body.some((i: { id: number }) => i.id === image.id)).toBe(true);
      const one = await request(t.app).get(`/api/gallery/view-images/${image.id}/`).set(user.auth).expect(200);
      expect(one.body).toMatchObject({ id: image.id, title: image.title });
    }
  });

  it('needs a token', async () => {
    await request(t.app).get('/api/gallery/view-images').expect(401);
  });

  it.each([
    ['post', ''],
    ['put', '/ID'],
    ['patch', '/ID/update'],
    ['delete', '/ID'],
    ['delete', '/ID/delete'],
  ] as const)(
    'refuses %s%s with 403 "No permission to perform this action" and changes nothing',
    async (method, suffix) => {
      const image = await createImage(t, owner, galleryId, 'keep me');
      const path = `/api/gallery/view-images${suffix.replace('ID', String(image.id))}/`;
      for (const user of [subscriber, owner]) {
        const res = await request(t.app)[method](path).set(user.auth).send({ title: 'changed' }).expect(403);
        expect(res.body.message).toBe('No permission to perform this action');
      }
      await request(t.app).post('/api/gallery/view-images/').send({}).expect(401);
      const row = await t.db.image.findUniqueOrThrow({ where: { id: image.id } });
      expect(row.title).toBe('keep me');
    },
  );

  it('GET on the update/ and delete/ paths only reads', async () => {
    const image = await createImage(t, owner, galleryId, 'still here');
    await request(t.app).get(`/api/gallery/view-images/${image.id}/delete/`).set(subscriber.auth).expect(200);
    await request(t.app).get(`/api/gallery/images/${image.id}/delete/`).set(owner.auth).expect(200);
    await request(t.app).get(`/api/gallery/images/${image.id}/update/`).set(owner.auth).expect(200);
    expect(await t.db.image.count({ where: { id: image.id, title: 'still here' } })).toBe(1);
  });
});

describe('one image', () => {
  it('shows an image, and 404 "Image not found" for a missing one', async () => {
    const image = await createImage(t, owner, galleryId);
    await request(t.app).get(`/api/gallery/images/${image.id}`).set(owner.auth).expect(200);
    const res = await request(t.app).get('/api/gallery/images/987654/').set(owner.auth).expect(404);
    expect(res.body).toEqual({ message: 'Image not found', code: 'NOT_FOUND' });
  });

  it.each([
    ['PATCH /{id}/', 'patch', ''],
    ['PUT /{id}/', 'put', ''],
    ['PUT /{id}/update/', 'put', 'update/'],
    ['PATCH /{id}/update/', 'patch', 'update/'],
  ] as const)('lets the uploader change title and description with %s', async (_name, method, suffix) => {
    const image = await createImage(t, owner, galleryId);
    const res = await request(t.app)
      [method](`/api/gallery/images/${image.id}/${suffix}`)
      .set(owner.auth)
      .send({ title: 'New title', description: 'New words' })
      .expect(200);
    expect(res.body).toMatchObject({
      message: 'Image updated successfully',
      id: image.id,
      title: 'New title',
      description: 'New words',
    });
  });

  it('accepts a multipart update without a file', async () => {
    const image = await createImage(t, owner, galleryId);
    const res = await request(t.app)
      .patch(`/api/gallery/images/${image.id}`)
      .set(owner.auth)
      .field('title', 'via form')
      .expect(200);
    expect(res.body.title).toBe('via form');
  });

  it('refuses an update from another Beta Player, a subscriber and anonymous callers', async () => {
    const image = await createImage(t, owner, galleryId, 'original');
    await request(t.app)
      .patch(`/api/gallery/images/${image.id}`)
      .set(otherPlayer.auth)
      .send({ title: 'x' })
      .expect(403);
    const sub = await request(t.app)
      .patch(`/api/gallery/images/${image.id}`)
      .set(subscriber.auth)
      .send({ title: 'x' })
      .expect(403);
    expect(sub.body.message).toBe(NO_PERMISSION);
    await request(t.app).patch(`/api/gallery/images/${image.id}`).send({ title: 'x' }).expect(401);
    expect((await t.db.image.findUniqueOrThrow({ where: { id: image.id } })).title).toBe('original');
  });

  it('lets the gallery owner change an image an admin uploaded into their gallery', async () => {
    const image = await createImage(t, admin, galleryId);
    await request(t.app)
      .patch(`/api/gallery/images/${image.id}`)
      .set(owner.auth)
      .send({ title: 'owner edit' })
      .expect(200);
  });

  it('moves an image only into a gallery the caller owns', async () => {
    const image = await createImage(t, owner, galleryId);
    const foreign = await createGallery(t, otherPlayer);
    const mine = await createGallery(t, owner);
    await request(t.app)
      .patch(`/api/gallery/images/${image.id}`)
      .set(owner.auth)
      .send({ gallery: foreign.id })
      .expect(403);
    await request(t.app).patch(`/api/gallery/images/${image.id}`).set(owner.auth).send({ gallery: 999999 }).expect(400);
    const res = await request(t.app)
      .patch(`/api/gallery/images/${image.id}`)
      .set(owner.auth)
      .send({ gallery: mine.id })
      .expect(200);
    expect(res.body).toMatchObject({ gallery: mine.id, gallery_name: mine.name });
  });

  it('refuses an empty update with 400', async () => {
    const image = await createImage(t, owner, galleryId);
    await request(t.app).patch(`/api/gallery/images/${image.id}`).set(owner.auth).send({}).expect(400);
  });

  it('replaces the file, updates its metadata and removes the old file', async () => {
    const image = await createImage(t, owner, galleryId);
    const before = await t.db.image.findUniqueOrThrow({ where: { id: image.id } });
    const res = await request(t.app)
      .put(`/api/gallery/images/${image.id}/update/`)
      .set(owner.auth)
      .attach('image', await jpegBytes(8, 6), { filename: 'new.jpg', contentType: 'image/jpeg' })
      .expect(200);
    expect(res.body).toMatchObject({ mimeType: 'image/jpeg', width: 8, height: 6 });
    const after = await t.db.image.findUniqueOrThrow({ where: { id: image.id } });
    expect(after.storageKey).not.toBe(before.storageKey);
    const files = t.files();
    expect(files.some((file) => file.endsWith(before.storageKey))).toBe(false);
    expect(await t.db.pendingFileRemoval.count()).toBe(0);
    expect(files.some((file) => file.endsWith(after.storageKey))).toBe(true);
    const file = await request(t.app).get(`/api/gallery/images/${image.id}/file/`).set(owner.auth).expect(200);
    expect(file.headers['content-type']).toBe('image/jpeg');
    await expectStorageInStep(t);
  });

  it.each([
    ['DELETE /{id}/', ''],
    ['DELETE /{id}/delete/', 'delete/'],
  ])('deletes with %s into the trash, and deleted for good from there its row and file go', async (_name, suffix) => {
    const image = await createImage(t, owner, galleryId);
    const row = await t.db.image.findUniqueOrThrow({ where: { id: image.id } });
    const res = await request(t.app).delete(`/api/gallery/images/${image.id}/${suffix}`).set(owner.auth).expect(200);
    expect(res.body).toEqual({ message: 'Image deleted successfully', trashed: true, purgeAt: expect.any(String) });
    const days = (Date.parse(res.body.purgeAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    await request(t.app).get(`/api/gallery/images/${image.id}/`).set(owner.auth).expect(404);
    await request(t.app).delete(`/api/gallery/images/${image.id}/`).set(owner.auth).expect(404);
    expect(t.files().some((file) => file.endsWith(row.storageKey))).toBe(true);
    await request(t.app).delete(`/api/gallery/trash/images/${image.id}/`).set(owner.auth).expect(200);
    expect(await t.db.image.count({ where: { id: image.id } })).toBe(0);
    expect(t.files().some((file) => file.endsWith(row.storageKey))).toBe(false);
  });

  it('refuses a delete from another Beta Player or a company user, keeping row and file', async () => {
    const image = await createImage(t, owner, galleryId);
    await request(t.app).delete(`/api/gallery/images/${image.id}`).set(otherPlayer.auth).expect(403);
    await request(t.app).delete(`/api/gallery/images/${image.id}/delete/`).set(companyUser.auth).expect(403);
    const row = await t.db.image.findUniqueOrThrow({ where: { id: image.id } });
    expect(t.files().some((file) => file.endsWith(row.storageKey))).toBe(true);
  });

  it('lets an admin delete any image', async () => {
    const image = await createImage(t, owner, galleryId);
    await request(t.app).delete(`/api/gallery/images/${image.id}`).set(admin.auth).expect(200);
  });
});

describe('the file endpoint', () => {
  it('serves every role a file with type, length, ETag and nosniff (the original never served media)', async () => {
    const image = await createImage(t, owner, galleryId);
    const row = await t.db.image.findUniqueOrThrow({ where: { id: image.id } });
    for (const user of [owner, admin]) {
      const res = await request(t.app)
        .get(`/api/gallery/images/${image.id}/file`)
        .set(user.auth)
        .buffer(true)
        .expect(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
      expect(Number(res.headers['content-length'])).toBe(row.size);
      expect((res.body as Buffer).subarray(1, 4).toString()).toBe('PNG');
    }
    // View-only roles get the preview: the original (and its EXIF) is for its owners.
    for (const user of [subscriber, companyUser]) {
      const res = await request(t.app)
        .get(`/api/gallery/images/${image.id}/file`)
        .set(user.auth)
        .buffer(true)
        .expect(200);
      expect(res.headers['content-type']).toBe('image/webp');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
      expect(Number(res.headers['content-length'])).toBe((res.body as Buffer).length);
      expect((res.body as Buffer).subarray(8, 12).toString()).toBe('WEBP');
    }
  });

  it('serves one byte range with 206, and 416 for a range outside the file', async () => {
    const image = await createImage(t, owner, galleryId);
    const whole = (
      await request(t.app).get(`/api/gallery/images/${image.id}/file`).set(owner.auth).buffer(true).expect(200)
    ).body as Buffer;
    const part = await request(t.app)
      .get(`/api/gallery/images/${image.id}/file`)
      .set(owner.auth)
      .set('Range', 'bytes=2-9')
      .buffer(true)
      .expect(206);
    expect(part.headers['content-range']).toBe(`bytes 2-9/${whole.length}`);
    expect(Buffer.compare(part.body as Buffer, whole.subarray(2, 10))).toBe(0);
    const tail = await request(t.app)
      .get(`/api/gallery/images/${image.id}/file`)
      .set(owner.auth)
      .set('Range', 'bytes=-4')
      .buffer(true)
      .expect(206);
    expect(Buffer.compare(tail.body as Buffer, whole.subarray(-4))).toBe(0);
    const outside = await request(t.app)
      .get(`/api/gallery/images/${image.id}/file`)
      .set(owner.auth)
      .set('Range', `bytes=${whole.length + 10}-`)
      .expect(416);
    expect(outside.headers['content-range']).toBe(`bytes */${whole.length}`);
    expect(outside.body.code).toBe('RANGE_NOT_SATISFIABLE');
  });

  it('names the file after its title, safely, for inline display', async () => {
    const res = await upload(
      t,
      owner,
      { gallery: galleryId, title: 'Sunset / "Sea" ☀' },
      { bytes: await pngBytes() },
    ).expect(201);
    const file = await request(t.app).get(`/api/gallery/images/${res.body.id}/file`).set(owner.auth).expect(200);
    expect(file.headers['content-disposition']).toBe(
      `inline; filename="Sunset Sea ?.png"; filename*=UTF-8''Sunset%20Sea%20%E2%98%80.png`,
    );
    expect(file.headers['accept-ranges']).toBe('bytes');
  });

  it('lets the versioned URL from the JSON be cached for good, and a replaced file get a new URL', async () => {
    const image = await createImage(t, owner, galleryId);
    const url = new URL(image.image);
    const versioned = await request(t.app)
      .get(url.pathname + url.search)
      .set(owner.auth)
      .expect(200);
    expect(versioned.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    const plain = await request(t.app).get(url.pathname).set(owner.auth).expect(200);
    expect(plain.headers['cache-control']).toBe('private, no-cache');
    const replaced = await request(t.app)
      .put(`/api/gallery/images/${image.id}`)
      .set(owner.auth)
      .attach('image', await jpegBytes(), 'new.jpg')
      .expect(200);
    expect(replaced.body.image).not.toBe(image.image);
    const stale = await request(t.app)
      .get(url.pathname + url.search)
      .set(owner.auth)
      .expect(200);
    expect(stale.headers['cache-control']).toBe('private, no-cache');
  });

  it('answers If-None-Match with 304', async () => {
    const image = await createImage(t, owner, galleryId);
    const first = await request(t.app).get(`/api/gallery/images/${image.id}/file`).set(owner.auth).expect(200);
    await request(t.app)
      .get(`/api/gallery/images/${image.id}/file`)
      .set(owner.auth)
      .set('If-None-Match', first.headers.etag)
      .expect(304);
  });

  it('needs a token and answers 404 for a missing image', async () => {
    const image = await createImage(t, owner, galleryId);
    await request(t.app).get(`/api/gallery/images/${image.id}/file`).expect(401);
    await request(t.app).get('/api/gallery/images/999999/file').set(owner.auth).expect(404);
  });

  it('uses the configured public URL in image links', async () => {
    const other = await startTestApp({ PUBLIC_URL: 'https://gallery.example.com/' });
    try {
      const user = await createUser(other, 'beta_player');
      const gallery = await createGallery(other, user);
      const image = await createImage(other, user, gallery.id);
      expect(image.image).toMatch(
        new RegExp(
          `^https://gallery\\.example\\.com/api/gallery/images/${image.id}/file/\\?v=[a-f0-9]{16}&size=original$`,
        ),
      );
    } finally {
      await other.close();
    }
  });
});
