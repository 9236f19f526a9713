import request from 'supertest';

import {
  createCast,
  createGallery,
  createImage,
  createUser,
  pngBytes,
  upload,
  type TestUser,
} from '../helpers/factories';
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

/** A private gallery of `owner` with one image, made through the API. */
async function privateGallery(name = `private ${Date.now()}-${Math.random()}`) {
  const res = await request(t.app)
    .post('/api/gallery/galleries/')
    .set(owner.auth)
    .send({ name, visibility: 'private' })
    .expect(201);
  expect(res.body.visibility).toBe('private');
  const image = await createImage(t, owner, res.body.id);
  return { gallery: res.body as { id: number; name: string }, image };
}

const addMember = (by: TestUser, galleryId: number, username: string, role?: 'viewer' | 'editor') =>
  request(t.app)
    .post(`/api/gallery/galleries/${galleryId}/members/`)
    .set(by.auth)
    .send(role ? { username, role } : { username });

/** Every way a caller might reach a gallery or one of its images; each must be 404 (or leave it out). */
async function expectInvisible(user: TestUser, galleryId: number, imageId: number, sha256: string) {
  await request(t.app).get(`/api/gallery/galleries/${galleryId}/`).set(user.auth).expect(404);
  // /api/gallery/images/{id} is for roles that may manage images: view-only roles get 403 there first.
  const paths =
    user === otherPlayer ? ['/api/gallery/images', '/api/gallery/view-images'] : ['/api/gallery/view-images'];
  for (const path of paths) {
    await request(t.app).get(`${path}/${imageId}/`).set(user.auth).expect(404);
    const listed = await request(t.app).get(`${path}/?gallery=${galleryId}&count=true`).set(user.auth).expect(200);
    expect(listed.body).toEqual([]);
    expect(listed.headers['x-total-count']).toBe('0');
  }
  for (const size of ['thumb', 'preview', 'original']) {
    await request(t.app).get(`/api/gallery/images/${imageId}/file?size=${size}`).set(user.auth).expect(404);
  }
  await request(t.app).get(`/api/gallery/galleries/${galleryId}/images/${sha256}`).set(user.auth).expect(404);
  const galleries = await request(t.app).get('/api/gallery/galleries/?limit=100').set(user.auth).expect(200);
  expect(galleries.body.map((g: { id: number }) => g.id)).not.toContain(galleryId);
}

const sha256Of = async (imageId: number) => (await t.db.image.findUniqueOrThrow({ where: { id: imageId } })).sha256;

describe('gallery visibility', () => {
  it('makes new galleries shared by default, as existing ones are', async () => {
    const res = await request(t.app).post('/api/gallery/galleries/').set(owner.auth).send({ name: 'Open' }).expect(201);
    expect(res.body.visibility).toBe('shared');
    const seen = await request(t.app).get(`/api/gallery/galleries/${res.body.id}`).set(subscriber.auth).expect(200);
    expect(seen.body.visibility).toBe('shared');
  });

  it('hides a private gallery and its images from everyone but its owner and admins: 404 on every route, absent from every list', async () => {
    const { gallery, image } = await privateGallery();
    const sha256 = await sha256Of(image.id);
    for (const user of [otherPlayer, subscriber, companyUser])
      await expectInvisible(user, gallery.id, image.id, sha256);
    for (const user of [owner, admin]) {
      await request(t.app).get(`/api/gallery/galleries/${gallery.id}`).set(user.auth).expect(200);
      await request(t.app).get(`/api/gallery/view-images/${image.id}`).set(user.auth).expect(200);
      const listed = await request(t.app).get(`/api/gallery/images/?gallery=${gallery.id}`).set(user.auth).expect(200);
      expect(listed.body.map((i: { id: number }) => i.id)).toEqual([image.id]);
      await request(t.app).get(`/api/gallery/galleries/${gallery.id}/images/${sha256}`).set(user.auth).expect(200);
    }
  });

  it('refuses to change or delete an image of a private gallery it cannot see with 404, not 403', async () => {
    const { gallery, image } = await privateGallery();
    await request(t.app)
      .patch(`/api/gallery/images/${image.id}/`)
      .set(otherPlayer.auth)
      .send({ title: 'mine now' })
      .expect(404);
    await request(t.app).delete(`/api/gallery/images/${image.id}/`).set(otherPlayer.auth).expect(404);
    await request(t.app)
      .patch(`/api/gallery/galleries/${gallery.id}/`)
      .set(otherPlayer.auth)
      .send({ name: 'x' })
      .expect(404);
    await request(t.app).delete(`/api/gallery/galleries/${gallery.id}/`).set(otherPlayer.auth).expect(404);
    const res = await upload(t, otherPlayer, { gallery: gallery.id }, { bytes: await pngBytes() }).expect(400);
    expect(res.body.message).toMatch(/No gallery with that id/);
    expect(await t.db.image.count({ where: { galleryId: gallery.id } })).toBe(1);
  });

  it('lets the owner switch visibility, records it in the audit log, and refuses others and unknown values', async () => {
    const { gallery, image } = await privateGallery();
    await request(t.app)
      .patch(`/api/gallery/galleries/${gallery.id}/`)
      .set(owner.auth)
      .send({ visibility: 'public' })
      .expect(400);
    const shared = await request(t.app)
      .patch(`/api/gallery/galleries/${gallery.id}/`)
      .set(owner.auth)
      .send({ visibility: 'shared' })
      .expect(200);
    expect(shared.body.visibility).toBe('shared');
    await request(t.app).get(`/api/gallery/view-images/${image.id}/`).set(subscriber.auth).expect(200);
    await request(t.app)
      .patch(`/api/gallery/galleries/${gallery.id}/`)
      .set(otherPlayer.auth)
      .send({ visibility: 'private' })
      .expect(403);
    const event = await t.db.auditEvent.findFirst({ where: { action: 'gallery.visibility', targetId: gallery.id } });
    expect(event).toMatchObject({ actorId: owner.id, detail: 'private -> shared' });
  });

  it('keeps keyset pages and counts right over a mix of visible and hidden galleries', async () => {
    const viewer = await createUser(t, 'subscriber');
    const made: { id: number; visibility: string }[] = [];
    for (let i = 0; i < 9; i++) {
      const visibility = i % 3 === 0 ? 'shared' : 'private';
      const res = await request(t.app)
        .post('/api/gallery/galleries/')
        .set(owner.auth)
        .send({ name: `mix ${i}`, visibility })
        .expect(201);
      made.push({ id: res.body.id, visibility });
    }
    await addMember(owner, made[1].id, viewer.username).expect(201);
    const expected = made.filter((g, i) => g.visibility === 'shared' || i === 1).map((g) => g.id);
    const seen: number[] = [];
    let url: string | null = `/api/gallery/galleries/?owner=${owner.id}&limit=2&count=true&q=mix`;
    let total: string | undefined;
    while (url) {
      const res: request.Response = await request(t.app).get(url).set(viewer.auth).expect(200);
      total ??= res.headers['x-total-count'];
      seen.push(...res.body.map((g: { id: number }) => g.id));
      const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.link ?? '');
      url = next ? new URL(next[1], 'http://x').pathname + new URL(next[1], 'http://x').search : null;
    }
    expect(seen.sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
    expect(total).toBe(String(expected.length));
  });
});

describe('members', () => {
  it('lets a viewer see a private gallery and its previews, but not its originals or any write', async () => {
    const { gallery, image } = await privateGallery();
    const res = await addMember(owner, gallery.id, subscriber.username.toUpperCase()).expect(201);
    expect(res.body).toMatchObject({
      message: 'Member added',
      user: { id: subscriber.id, username: subscriber.username },
      role: 'viewer',
    });
    await request(t.app).get(`/api/gallery/galleries/${gallery.id}`).set(subscriber.auth).expect(200);
    const listed = await request(t.app)
      .get(`/api/gallery/view-images/?gallery=${gallery.id}`)
      .set(subscriber.auth)
      .expect(200);
    expect(listed.body.map((i: { id: number }) => i.id)).toEqual([image.id]);
    await request(t.app).get(`/api/gallery/images/${image.id}/file?size=thumb`).set(subscriber.auth).expect(200);
    await request(t.app).get(`/api/gallery/images/${image.id}/file?size=original`).set(subscriber.auth).expect(403);
    await request(t.app)
      .patch(`/api/gallery/images/${image.id}/`)
      .set(subscriber.auth)
      .send({ title: 'x' })
      .expect(403);
  });

  it('refuses a member added twice with 409 and an unknown user with a 404 that names no one', async () => {
    const { gallery } = await privateGallery();
    await addMember(owner, gallery.id, companyUser.username).expect(201);
    const twice = await addMember(owner, gallery.id, companyUser.username, 'editor').expect(409);
    expect(twice.body).toEqual({
      message: `${companyUser.username} is already a member of this gallery.`,
      code: 'CONFLICT',
    });
    const unknown = await addMember(owner, gallery.id, 'nobody-by-this-name').expect(404);
    expect(unknown.body).toEqual({ message: 'No active user with that username', code: 'NOT_FOUND' });
    await addMember(owner, gallery.id, owner.username).expect(400);
    await request(t.app)
      .post(`/api/gallery/galleries/${gallery.id}/members/`)
      .set(owner.auth)
      .send({ username: otherPlayer.username, role: 'admin' })
      .expect(400);
    expect(await t.db.galleryMember.count({ where: { galleryId: gallery.id } })).toBe(1);
  });

  it('lets only the owner and admins manage members: others get 403, or 404 when they cannot see the gallery', async () => {
    const { gallery } = await privateGallery();
    await addMember(otherPlayer, gallery.id, subscriber.username).expect(404);
    await addMember(subscriber, gallery.id, subscriber.username).expect(403);
    await addMember(admin, gallery.id, otherPlayer.username, 'viewer').expect(201);
    await addMember(otherPlayer, gallery.id, companyUser.username).expect(403);
    const list = await request(t.app)
      .get(`/api/gallery/galleries/${gallery.id}/members`)
      .set(otherPlayer.auth)
      .expect(200);
    expect(list.body).toEqual([
      expect.objectContaining({ user: { id: otherPlayer.id, username: otherPlayer.username }, role: 'viewer' }),
    ]);
    const open = await request(t.app)
      .post('/api/gallery/galleries/')
      .set(owner.auth)
      .send({ name: 'shared one' })
      .expect(201);
    await request(t.app).get(`/api/gallery/galleries/${open.body.id}/members`).set(subscriber.auth).expect(403);
  });

  it('lets an editor who may write upload to, edit and delete any image in that gallery only', async () => {
    const { gallery, image } = await privateGallery();
    await addMember(owner, gallery.id, otherPlayer.username, 'editor').expect(201);
    const added = await upload(
      t,
      otherPlayer,
      { gallery: gallery.id, title: 'by the editor' },
      { bytes: await pngBytes() },
    ).expect(201);
    await request(t.app)
      .patch(`/api/gallery/images/${image.id}/`)
      .set(otherPlayer.auth)
      .send({ title: 'edited by the editor' })
      .expect(200);
    await request(t.app).delete(`/api/gallery/images/${added.body.id}/`).set(otherPlayer.auth).expect(200);
    // Taking someone else's image out of the gallery is not an editor's to do, wherever to (image-moves.test.ts: every case).
    const own = await createGallery(t, otherPlayer);
    await request(t.app)
      .patch(`/api/gallery/images/${image.id}/`)
      .set(otherPlayer.auth)
      .send({ gallery: own.id })
      .expect(403);
    expect((await t.db.image.findUniqueOrThrow({ where: { id: image.id } })).galleryId).toBe(gallery.id);
    // A viewer may do none of it.
    await request(t.app)
      .patch(`/api/gallery/galleries/${gallery.id}/members/${otherPlayer.id}`)
      .set(owner.auth)
      .send({ role: 'viewer' })
      .expect(200);
    await upload(t, otherPlayer, { gallery: gallery.id }, { bytes: await pngBytes() }).expect(403);
    await request(t.app)
      .patch(`/api/gallery/images/${image.id}/`)
      .set(otherPlayer.auth)
      .send({ title: 'no' })
      .expect(403);
  });

  it('keeps a view-only role read-only when made editor, and says why', async () => {
    const { gallery, image } = await privateGallery();
    const res = await addMember(owner, gallery.id, subscriber.username, 'editor').expect(201);
    expect(res.body.role).toBe('editor');
    expect(res.body.note).toMatch(/Subscriber.*view-only/);
    await upload(t, subscriber, { gallery: gallery.id }, { bytes: await pngBytes() }).expect(403);
    await request(t.app)
      .patch(`/api/gallery/images/${image.id}/`)
      .set(subscriber.auth)
      .send({ title: 'no' })
      .expect(403);
    await request(t.app).delete(`/api/gallery/images/${image.id}/`).set(subscriber.auth).expect(403);
    expect(await t.db.image.count({ where: { galleryId: gallery.id } })).toBe(1);
  });

  it('lets a member leave, after which the private gallery is gone for them', async () => {
    const { gallery, image } = await privateGallery();
    await addMember(owner, gallery.id, companyUser.username).expect(201);
    await addMember(owner, gallery.id, subscriber.username).expect(201);
    await request(t.app)
      .delete(`/api/gallery/galleries/${gallery.id}/members/${subscriber.id}`)
      .set(companyUser.auth)
      .expect(403);
    const left = await request(t.app)
      .delete(`/api/gallery/galleries/${gallery.id}/members/${companyUser.id}`)
      .set(companyUser.auth)
      .expect(200);
    expect(left.body.message).toBe('You left the gallery');
    await expectInvisible(companyUser, gallery.id, image.id, await sha256Of(image.id));
    await request(t.app)
      .delete(`/api/gallery/galleries/${gallery.id}/members/${subscriber.id}`)
      .set(owner.auth)
      .expect(200);
    await request(t.app)
      .delete(`/api/gallery/galleries/${gallery.id}/members/${subscriber.id}`)
      .set(owner.auth)
      .expect(404);
  });

  it('records every membership change in the audit log', async () => {
    const { gallery } = await privateGallery();
    await addMember(owner, gallery.id, companyUser.username, 'editor').expect(201);
    await request(t.app)
      .patch(`/api/gallery/galleries/${gallery.id}/members/${companyUser.id}`)
      .set(owner.auth)
      .send({ role: 'viewer' })
      .expect(200);
    await request(t.app)
      .delete(`/api/gallery/galleries/${gallery.id}/members/${companyUser.id}`)
      .set(owner.auth)
      .expect(200);
    const events = await t.db.auditEvent.findMany({
      where: { targetType: 'gallery', targetId: gallery.id },
      orderBy: { id: 'asc' },
    });
    expect(events.map((e) => [e.action, e.detail])).toEqual([
      ['gallery.member.add', `user ${companyUser.id} as editor`],
      ['gallery.member.update', `user ${companyUser.id} as viewer`],
      ['gallery.member.remove', `user ${companyUser.id}`],
    ]);
  });
});

describe('transfer of ownership', () => {
  it('lets an admin give a gallery to a user who may own galleries; a member who becomes owner stops being a member', async () => {
    const { gallery } = await privateGallery();
    await addMember(owner, gallery.id, otherPlayer.username, 'editor').expect(201);
    await request(t.app)
      .put(`/api/gallery/galleries/${gallery.id}/owner`)
      .set(owner.auth)
      .send({ username: otherPlayer.username })
      .expect(403);
    await request(t.app)
      .put(`/api/gallery/galleries/${gallery.id}/owner`)
      .set(admin.auth)
      .send({ username: subscriber.username })
      .expect(400);
    const res = await request(t.app)
      .put(`/api/gallery/galleries/${gallery.id}/owner`)
      .set(admin.auth)
      .send({ username: otherPlayer.username })
      .expect(200);
    expect(res.body.owner).toEqual({ id: otherPlayer.id, username: otherPlayer.username });
    expect(await t.db.galleryMember.count({ where: { galleryId: gallery.id } })).toBe(0);
    // The old owner no longer sees the private gallery.
    await request(t.app).get(`/api/gallery/galleries/${gallery.id}`).set(owner.auth).expect(404);
    const event = await t.db.auditEvent.findFirst({ where: { action: 'gallery.transfer', targetId: gallery.id } });
    expect(event?.detail).toBe(`owner ${owner.id} -> ${otherPlayer.id}`);
  });
});
