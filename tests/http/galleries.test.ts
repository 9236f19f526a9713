import { existsSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';

import { createCast, createGallery, createImage, createUser, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let owner: TestUser;
let otherPlayer: TestUser;
let subscriber: TestUser;
let companyUser: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  ({ owner, otherPlayer, subscriber, companyUser, admin } = await createCast(t));
});
afterAll(async () => {
  await t.close();
});

describe('creating galleries', () => {
  it('lets a Beta Player create a gallery they own', async () => {
    const res = await request(t.app)
      .post('/api/gallery/galleries/')
      .set(owner.auth)
      .send({ name: 'Holidays', description: 'Sun' })
      .expect(201);
    expect(res.body).toMatchObject({
      message: 'Gallery created successfully',
      name: 'Holidays',
      description: 'Sun',
      owner: { id: owner.id, username: owner.username },
      imageCount: 0,
    });
    expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);
  });

  it.each(['subscriber', 'companyUser'])('refuses a %s with 403', async (who) => {
    const user = who === 'subscriber' ? subscriber : companyUser;
    const res = await request(t.app).post('/api/gallery/galleries').set(user.auth).send({ name: 'Nope' }).expect(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect(await t.db.gallery.count({ where: { name: 'Nope' } })).toBe(0);
  });

  it('refuses anonymous callers with 401', async () => {
    await request(t.app).post('/api/gallery/galleries').send({ name: 'Nope' }).expect(401);
  });

  it('refuses an empty or overlong name with 400', async () => {
    await request(t.app).post('/api/gallery/galleries').set(owner.auth).send({ name: '  ' }).expect(400);
    await request(t.app)
      .post('/api/gallery/galleries')
      .set(owner.auth)
      .send({ name: 'x'.repeat(201) })
      .expect(400);
  });

  it('refuses NUL and control characters with 400, not a database error', async () => {
    const res = await request(t.app)
      .post('/api/gallery/galleries')
      .set(owner.auth)
      .send({ name: 'bad\u0000name' })
      .expect(400);
    expect(res.body.details[0]).toEqual({ path: 'name', message: 'Control characters are not allowed.' });
    await request(t.app)
      .post('/api/gallery/galleries')
      .set(owner.auth)
      .send({ name: 'ok', description: 'x\u0000' })
      .expect(400);
    const multiline = await request(t.app)
      .post('/api/gallery/galleries')
      .set(owner.auth)
      .send({ name: 'ok', description: 'line 1\nline 2' })
      .expect(201);
    expect(multiline.body.description).toBe('line 1\nline 2');
  });

  it('refuses fields a client must not set (ownerId, id) with 400, creating nothing', async () => {
    const res = await request(t.app)
      .post('/api/gallery/galleries')
      .set(owner.auth)
      .send({ name: 'Mine', ownerId: otherPlayer.id })
      .expect(400);
    expect(res.body.message).toMatch(/ownerId/);
    await request(t.app).post('/api/gallery/galleries').set(owner.auth).send({ name: 'Mine', id: 1 }).expect(400);
    expect(await t.db.gallery.count({ where: { name: 'Mine' } })).toBe(0);
    const gallery = await createGallery(t, owner);
    await request(t.app)
      .patch(`/api/gallery/galleries/${gallery.id}`)
      .set(owner.auth)
      .send({ ownerId: otherPlayer.id })
      .expect(400);
    expect((await t.db.gallery.findUniqueOrThrow({ where: { id: gallery.id } })).ownerId).toBe(owner.id);
  });
});

describe('reading galleries', () => {
  it('lists galleries for every role, with owner and image count', async () => {
    const gallery = await createGallery(t, owner);
    await createImage(t, owner, gallery.id);
    for (const user of [subscriber, companyUser, otherPlayer, admin]) {
      const res = await request(t.app).get('/api/gallery/galleries').set(user.auth).expect(200);
      const item = res.body.find((g: { id: number }) => g.id === gallery.id);
      expect(item).toMatchObject({ owner: { id: owner.id, username: owner.username }, imageCount: 1 });
    }
  });

  it('filters by owner and pages with a Link header', async () => {
    const lister = await createUser(t, 'beta_player');
    for (let i = 0; i < 3; i++) await createGallery(t, lister, `page-${i}`);
    const first = await request(t.app)
      .get(`/api/gallery/galleries?owner=${lister.id}&limit=2`)
      .set(subscriber.auth)
      .expect(200);
    expect(first.body.map((g: { name: string }) => g.name)).toEqual(['page-2', 'page-1']);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.link)![1];
    const second = await request(t.app).get(next).set(subscriber.auth).expect(200);
    expect(second.body.map((g: { name: string }) => g.name)).toEqual(['page-0']);
    expect(second.headers.link).toBeUndefined();
  });

  it('gets one gallery, and 404 for a missing or malformed id', async () => {
    const gallery = await createGallery(t, owner);
    await request(t.app).get(`/api/gallery/galleries/${gallery.id}/`).set(subscriber.auth).expect(200);
    const missing = await request(t.app).get('/api/gallery/galleries/999999').set(subscriber.auth).expect(404);
    expect(missing.body).toEqual({ message: 'Gallery not found', code: 'NOT_FOUND' });
    await request(t.app).get('/api/gallery/galleries/abc').set(subscriber.auth).expect(404);
  });
});

describe('changing and deleting galleries', () => {
  it('lets the owner rename a gallery', async () => {
    const gallery = await createGallery(t, owner);
    const res = await request(t.app)
      .patch(`/api/gallery/galleries/${gallery.id}`)
      .set(owner.auth)
      .send({ name: 'Renamed' })
      .expect(200);
    expect(res.body).toMatchObject({ message: 'Gallery updated successfully', name: 'Renamed' });
  });

  it('refuses another Beta Player with 403 and leaves the gallery unchanged', async () => {
    const gallery = await createGallery(t, owner, 'Untouched');
    await request(t.app)
      .patch(`/api/gallery/galleries/${gallery.id}`)
      .set(otherPlayer.auth)
      .send({ name: 'Hijacked' })
      .expect(403);
    await request(t.app).delete(`/api/gallery/galleries/${gallery.id}`).set(otherPlayer.auth).expect(403);
    const row = await t.db.gallery.findUniqueOrThrow({ where: { id: gallery.id } });
    expect(row.name).toBe('Untouched');
  });

  it('refuses view-only roles with 403', async () => {
    const gallery = await createGallery(t, owner);
    await request(t.app)
      .patch(`/api/gallery/galleries/${gallery.id}`)
      .set(subscriber.auth)
      .send({ name: 'x' })
      .expect(403);
    await request(t.app).delete(`/api/gallery/galleries/${gallery.id}`).set(companyUser.auth).expect(403);
  });

  it('lets an admin change any gallery', async () => {
    const gallery = await createGallery(t, owner);
    await request(t.app)
      .patch(`/api/gallery/galleries/${gallery.id}`)
      .set(admin.auth)
      .send({ description: 'moderated' })
      .expect(200);
  });

  it('refuses an empty change with 400', async () => {
    const gallery = await createGallery(t, owner);
    await request(t.app).patch(`/api/gallery/galleries/${gallery.id}`).set(owner.auth).send({}).expect(400);
  });

  it('deletes a gallery into the trash; deleted for good from there, its images and their files go', async () => {
    const gallery = await createGallery(t, owner);
    const images = [await createImage(t, owner, gallery.id), await createImage(t, owner, gallery.id)];
    const keys = (await t.db.image.findMany({ where: { galleryId: gallery.id } })).map((image) => image.storageKey);
    expect(keys.every((key) => existsSync(join(t.uploadDir, 'images', key.slice(0, 2), key)))).toBe(true);

    const res = await request(t.app).delete(`/api/gallery/galleries/${gallery.id}/`).set(owner.auth).expect(200);
    expect(res.body).toEqual({ message: 'Gallery deleted successfully', trashed: true, purgeAt: expect.any(String) });
    await request(t.app).get(`/api/gallery/galleries/${gallery.id}`).set(owner.auth).expect(404);
    expect(keys.every((key) => existsSync(join(t.uploadDir, 'images', key.slice(0, 2), key)))).toBe(true);
    await request(t.app).delete(`/api/gallery/trash/galleries/${gallery.id}/`).set(owner.auth).expect(200);
    expect(await t.db.image.count({ where: { id: { in: images.map((image) => image.id) } } })).toBe(0);
    expect(keys.some((key) => existsSync(join(t.uploadDir, 'images', key.slice(0, 2), key)))).toBe(false);
    await request(t.app).get(`/api/gallery/galleries/${gallery.id}`).set(owner.auth).expect(404);
  });

  it('lets an admin delete any gallery; deleting it twice is 404', async () => {
    const gallery = await createGallery(t, owner);
    await request(t.app).delete(`/api/gallery/galleries/${gallery.id}`).set(admin.auth).expect(200);
    await request(t.app).delete(`/api/gallery/galleries/${gallery.id}`).set(admin.auth).expect(404);
  });
});
