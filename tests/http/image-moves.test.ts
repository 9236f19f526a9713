import sharp from 'sharp';
import request from 'supertest';

import type { RoleName } from '../../src/shared/permissions';
import {
  createGallery,
  createImage,
  createUser,
  pngBytes,
  uniqueColor,
  upload,
  type TestUser,
} from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Moving an image to another gallery takes it out of the gallery it is in: only the owner of that
 * gallery, the image's uploader (while they may still write to the gallery) and admins may; the
 * destination must be theirs to fill. Every other write to an image needs write access to its
 * gallery now, whoever uploaded it. Each attack below is the request sequence that found the hole.
 */
let t: TestApp;
let alice: TestUser;
let bob: TestUser;

const patch = (user: TestUser, id: number, body: Record<string, unknown>) =>
  request(t.app).patch(`/api/gallery/images/${id}/`).set(user.auth).send(body);
const replace = (app: TestApp, user: TestUser, id: number, bytes: Buffer) =>
  request(app.app)
    .put(`/api/gallery/images/${id}/`)
    .set(user.auth)
    .attach('image', bytes, { filename: 'new.png', contentType: 'image/png' });
const addMember = (owner: TestUser, galleryId: number, user: TestUser, role: 'viewer' | 'editor') =>
  request(t.app)
    .post(`/api/gallery/galleries/${galleryId}/members`)
    .set(owner.auth)
    .send({ username: user.username, role })
    .expect(201);
const privateGallery = async (owner: TestUser) =>
  (
    await request(t.app)
      .post('/api/gallery/galleries/')
      .set(owner.auth)
      .send({ name: `private of ${owner.username}`, visibility: 'private' })
      .expect(201)
  ).body as { id: number };
const galleryOf = async (imageId: number) => (await t.db.image.findUniqueOrThrow({ where: { id: imageId } })).galleryId;

beforeAll(async () => {
  t = await startTestApp();
  [alice, bob] = await Promise.all([createUser(t, 'beta_player'), createUser(t, 'beta_player')]);
});
afterAll(async () => {
  await t.close();
});

describe("an editor and someone else's image", () => {
  it('cannot move it out of a private gallery into their own, private or shared, nor get its original', async () => {
    const gallery = await privateGallery(alice);
    await addMember(alice, gallery.id, bob, 'editor');
    const image = await createImage(t, alice, gallery.id);
    await request(t.app).get(`/api/gallery/images/${image.id}/file/?size=original`).set(bob.auth).expect(403);
    const bobsPrivate = await privateGallery(bob);
    const bobsShared = await createGallery(t, bob);
    for (const destination of [bobsPrivate.id, bobsShared.id]) {
      const res = await patch(bob, image.id, { gallery: destination }).expect(403);
      expect(res.body).toMatchObject({
        code: 'FORBIDDEN',
        message: 'Only the owner of its gallery, its uploader or an admin may move this image to another gallery.',
      });
    }
    // Nor with a field change alongside, nor with a new file.
    await patch(bob, image.id, { gallery: bobsShared.id, title: 'mine now' }).expect(403);
    await request(t.app)
      .put(`/api/gallery/images/${image.id}/`)
      .set(bob.auth)
      .field('gallery', String(bobsShared.id))
      .attach('image', await pngBytes(), { filename: 'x.png', contentType: 'image/png' })
      .expect(403);
    expect(await galleryOf(image.id)).toBe(gallery.id);
    expect((await t.db.image.findUniqueOrThrow({ where: { id: image.id } })).uploaderId).toBe(alice.id);
    await request(t.app).get(`/api/gallery/images/${image.id}/file/?size=original`).set(bob.auth).expect(403);
    // The uploader still has it, and may delete it.
    await request(t.app).get(`/api/gallery/images/${image.id}/`).set(alice.auth).expect(200);
    await request(t.app).delete(`/api/gallery/images/${image.id}/`).set(alice.auth).expect(200);
  });

  it('may still change it where it is, and move their own image out', async () => {
    const gallery = await privateGallery(alice);
    await addMember(alice, gallery.id, bob, 'editor');
    const image = await createImage(t, alice, gallery.id);
    await patch(bob, image.id, { title: 'retitled by an editor' }).expect(200);
    const own = await upload(t, bob, { gallery: gallery.id }, { bytes: await pngBytes() }).expect(201);
    const bobsGallery = await createGallery(t, bob);
    await patch(bob, own.body.id, { gallery: bobsGallery.id }).expect(200);
    expect(await galleryOf(own.body.id)).toBe(bobsGallery.id);
  });

  it('is refused 120 times in parallel, and nothing moves', async () => {
    const gallery = await privateGallery(alice);
    await addMember(alice, gallery.id, bob, 'editor');
    const images = await Promise.all(Array.from({ length: 4 }, () => createImage(t, alice, gallery.id)));
    const bobsGallery = await createGallery(t, bob);
    const replies = await Promise.all(
      Array.from({ length: 120 }, (_, i) => patch(bob, images[i % images.length].id, { gallery: bobsGallery.id })),
    );
    expect(replies.map((res) => res.status).filter((status) => status !== 403)).toEqual([]);
    expect(await t.db.image.count({ where: { galleryId: bobsGallery.id } })).toBe(0);
    expect(
      await t.db.auditEvent.count({
        where: { action: 'image.update', targetId: { in: images.map((image) => image.id) } },
      }),
    ).toBe(0);
  });
});

describe('an editor removed from a gallery', () => {
  it('can no longer replace, change, move or delete the images they uploaded there', async () => {
    for (const visibility of ['shared', 'private'] as const) {
      const gallery = (
        await request(t.app)
          .post('/api/gallery/galleries/')
          .set(alice.auth)
          .send({ name: `${visibility} one`, visibility })
          .expect(201)
      ).body as { id: number };
      await addMember(alice, gallery.id, bob, 'editor');
      const own = await upload(t, bob, { gallery: gallery.id }, { bytes: await pngBytes() }).expect(201);
      await request(t.app).delete(`/api/gallery/galleries/${gallery.id}/members/${bob.id}`).set(alice.auth).expect(200);
      // A shared gallery he still sees: 403; a private one he no longer sees: 404, as a missing id.
      const expected = visibility === 'shared' ? 403 : 404;
      const bobsGallery = await createGallery(t, bob);
      const before = await t.db.image.findUniqueOrThrow({ where: { id: own.body.id } });
      await replace(t, bob, own.body.id, await pngBytes()).expect(expected);
      await patch(bob, own.body.id, { title: 'still mine?' }).expect(expected);
      await patch(bob, own.body.id, { gallery: bobsGallery.id }).expect(expected);
      await request(t.app).delete(`/api/gallery/images/${own.body.id}/`).set(bob.auth).expect(expected);
      expect(await t.db.image.findUniqueOrThrow({ where: { id: own.body.id } })).toMatchObject({
        galleryId: gallery.id,
        title: before.title,
        sha256: before.sha256,
        deleting: false,
      });
    }
  });
});

describe('a new file sent by an editor, against the quota (STORAGE_QUOTA_MB=1)', () => {
  // Uncompressed PNGs of about 0.6 MiB, each its own bytes: one fits in 1 MiB, two do not.
  const big = () =>
    sharp({ create: { width: 500, height: 400, channels: 3, background: uniqueColor() } })
      .png({ compressionLevel: 0 })
      .toBuffer();

  it('is charged to the editor, who becomes the uploader, not to the previous uploader', async () => {
    const quota = await startTestApp({ STORAGE_QUOTA_MB: '1' });
    try {
      const [owner, editor] = [await createUser(quota, 'beta_player'), await createUser(quota, 'beta_player')];
      const gallery = (
        await request(quota.app)
          .post('/api/gallery/galleries/')
          .set(owner.auth)
          .send({ name: 'hers', visibility: 'private' })
          .expect(201)
      ).body as { id: number };
      await request(quota.app)
        .post(`/api/gallery/galleries/${gallery.id}/members`)
        .set(owner.auth)
        .send({ username: editor.username, role: 'editor' })
        .expect(201);
      const hers = await upload(quota, owner, { gallery: gallery.id }, { bytes: await pngBytes() }).expect(201);
      const replaced = await replace(quota, editor, hers.body.id, await big()).expect(200);
      expect(replaced.body.uploader).toEqual({ id: editor.id, username: editor.username });
      // Her next upload fits: the editor's bytes are not hers.
      await upload(quota, owner, { gallery: gallery.id }, { bytes: await big() }).expect(201);
      // His are his: a second 0.6 MiB file of his does not fit.
      const second = await upload(quota, owner, { gallery: gallery.id }, { bytes: await pngBytes() }).expect(201);
      const over = await replace(quota, editor, second.body.id, await big()).expect(413);
      expect(over.body.message).toMatch(/^Storage quota exceeded: 0\.6 MiB of 1\.0 MiB used/);
      const event = await quota.db.auditEvent.findFirstOrThrow({
        where: { action: 'image.update', targetId: hers.body.id },
      });
      expect(event.detail).toContain(`uploader ${owner.id} -> ${editor.id}`);
    } finally {
      await quota.close();
    }
  });
});

/*
 * Every combination: the caller's role; their relation to the image's gallery and to the
 * destination (owner, editor, viewer, not a member of a shared gallery, not a member of a private
 * one); whether they uploaded the image. The expected reply is worked out here from the rules, not
 * from the code: a view-only role may not write (403, before anything is read); an admin may do
 * anything; otherwise a source they cannot see is a missing image (404), one they cannot write 403,
 * someone else's image in a gallery they only edit 403; then a destination they cannot see is a
 * bad field (400), one they cannot write 403.
 */
const RELATIONS = ['owner', 'editor', 'viewer', 'none, shared', 'none, private'] as const;
type Relation = (typeof RELATIONS)[number];
const ROLES: RoleName[] = ['beta_player', 'company_user', 'admin'];

function expectedMove(role: RoleName, source: Relation, uploaded: boolean, destination: Relation): number {
  if (role === 'admin') return 200;
  if (role !== 'beta_player') return 403;
  if (source === 'none, private') return 404;
  if (source === 'viewer' || source === 'none, shared') return 403;
  if (source === 'editor' && !uploaded) return 403;
  if (destination === 'none, private') return 400;
  if (destination === 'viewer' || destination === 'none, shared') return 403;
  return 200;
}

describe('a move, in every combination of role, source and destination relation, and uploader', () => {
  it('is allowed exactly where the rules allow it, and moves nothing otherwise', async () => {
    const setup = await createUser(t, 'admin');
    const wrong: string[] = [];
    let cases = 0;
    for (const role of ROLES) {
      const caller = await createUser(t, role);
      /** A gallery that stands in `relation` to the caller (owned by them, or by alice). */
      const galleryFor = async (relation: Relation) => {
        const gallery = await t.db.gallery.create({
          data: {
            name: `${relation} of ${caller.username}`,
            description: '',
            ownerId: relation === 'owner' ? caller.id : alice.id,
            visibility: relation === 'none, shared' ? 'shared' : 'private',
          },
        });
        if (relation === 'editor' || relation === 'viewer')
          await t.db.galleryMember.create({ data: { galleryId: gallery.id, userId: caller.id, role: relation } });
        return gallery.id;
      };
      const sources = new Map<Relation, number>();
      const destinations = new Map<Relation, number>();
      for (const relation of RELATIONS) {
        sources.set(relation, await galleryFor(relation));
        destinations.set(relation, await galleryFor(relation));
      }
      for (const source of RELATIONS) {
        for (const uploaded of [false, true]) {
          for (const destination of RELATIONS) {
            const image = await createImage(t, setup, sources.get(source)!);
            await t.db.image.update({ where: { id: image.id }, data: { uploaderId: uploaded ? caller.id : alice.id } });
            const res = await patch(caller, image.id, { gallery: destinations.get(destination) });
            const expected = expectedMove(role, source, uploaded, destination);
            const now = await galleryOf(image.id);
            const where = expected === 200 ? destinations.get(destination) : sources.get(source);
            cases += 1;
            if (res.status !== expected || now !== where) {
              wrong.push(
                `${role}, source ${source}, ${uploaded ? 'uploader' : 'not uploader'}, destination ${destination}: ${res.status} (expected ${expected}), image in ${now === where ? 'the right gallery' : 'the WRONG gallery'}`,
              );
            }
          }
        }
      }
    }
    expect(cases).toBe(ROLES.length * RELATIONS.length * 2 * RELATIONS.length);
    expect(wrong).toEqual([]);
  });
});
