import { createHash } from 'node:crypto';
import sharp from 'sharp';
import request from 'supertest';

import {
  createCast,
  createImage,
  createUser,
  pngBytes,
  uniqueColor,
  upload,
  type TestUser,
} from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The trash: a delete puts an image or a gallery there, restorable as it was until TRASH_DAYS
 * have passed; then the purge deletes it for good. Who may list, restore and delete for good;
 * restores of many items; the purge with the clock moved on; concurrency.
 */
let t: TestApp;
let cast: Awaited<ReturnType<typeof createCast>>;
let owner: TestUser;
let editor: TestUser;
const DAY = 86_400_000;

beforeAll(async () => {
  t = await startTestApp();
  cast = await createCast(t);
  owner = cast.owner;
  editor = await createUser(t, 'beta_player');
});
afterAll(async () => {
  await t.close();
});

const api = () => request(t.app);
async function newGallery(by: TestUser = owner, visibility = 'shared') {
  const res = await api().post('/api/gallery/galleries/').set(by.auth).send({ name: 'trip', visibility }).expect(201);
  return res.body.id as number;
}
const trashList = (by: TestUser, query = '') => api().get(`/api/gallery/trash/${query}`).set(by.auth);
const restore = (by: TestUser, body: object) => api().post('/api/gallery/trash/restore').set(by.auth).send(body);
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const original = async (by: TestUser, id: number) =>
  (await api().get(`/api/gallery/images/${id}/file`).set(by.auth).buffer(true).expect(200)).body as Buffer;
const filesOf = async (id: number) => {
  const { storageKey } = await t.db.image.findUniqueOrThrow({ where: { id } });
  return t.files().filter((file) => file.includes(storageKey.replace(/\.[a-z]+$/, '')));
};

describe('an image in the trash', () => {
  it('is gone from its gallery, lists and file URLs, and comes back byte for byte with its title and gallery', async () => {
    const gallery = await newGallery();
    const image = await createImage(t, owner, gallery, 'holiday 1');
    const before = await original(owner, image.id);
    const files = await filesOf(image.id);
    const deleted = await api().delete(`/api/gallery/images/${image.id}/`).set(owner.auth).expect(200);
    expect(deleted.body).toMatchObject({ message: 'Image deleted successfully', trashed: true });

    await api().get(`/api/gallery/images/${image.id}/`).set(owner.auth).expect(404);
    await api().get(`/api/gallery/images/${image.id}/file?size=thumb`).set(owner.auth).expect(404);
    const listed = await api().get(`/api/gallery/images/?gallery=${gallery}&count=true`).set(owner.auth).expect(200);
    expect(listed.body).toEqual([]);
    expect(listed.headers['x-total-count']).toBe('0');
    const shown = await api().get(`/api/gallery/galleries/${gallery}/`).set(owner.auth).expect(200);
    expect(shown.body).toMatchObject({ imageCount: 0, cover: null });
    expect(await filesOf(image.id)).toEqual(files);

    const entry = (await trashList(owner).expect(200)).body.find((e: { id: number }) => e.id === image.id);
    expect(entry).toMatchObject({
      type: 'image',
      title: 'holiday 1',
      gallery: { id: gallery, name: 'trip' },
      trashedBy: { id: owner.id, username: owner.username },
      canDeleteForever: true,
      purgeAt: deleted.body.purgeAt,
    });

    const back = await restore(owner, { images: [image.id] }).expect(200);
    expect(back.body).toEqual({ results: [{ type: 'image', id: image.id, status: 200 }] });
    const again = await api().get(`/api/gallery/images/${image.id}/`).set(owner.auth).expect(200);
    expect(again.body).toMatchObject({ title: 'holiday 1', gallery });
    expect(sha(await original(owner, image.id))).toBe(sha(before));
  });

  it('may be put there and taken back by an editor, but only the owner or an admin deletes it for good', async () => {
    const gallery = await newGallery(owner, 'private');
    await api()
      .post(`/api/gallery/galleries/${gallery}/members`)
      .set(owner.auth)
      .send({ username: editor.username, role: 'editor' })
      .expect(201);
    const image = await createImage(t, owner, gallery);
    await api().delete(`/api/gallery/images/${image.id}`).set(editor.auth).expect(200);
    const seen = (await trashList(editor).expect(200)).body.find((e: { id: number }) => e.id === image.id);
    expect(seen).toMatchObject({ canDeleteForever: false });
    expect((await trashList(cast.otherPlayer).expect(200)).body.map((e: { id: number }) => e.id)).not.toContain(
      image.id,
    );
    await api().delete(`/api/gallery/trash/images/${image.id}`).set(editor.auth).expect(404);
    await api().delete(`/api/gallery/trash/images/${image.id}`).set(cast.otherPlayer.auth).expect(404);
    const refused = await restore(cast.otherPlayer, { images: [image.id] }).expect(207);
    expect(refused.body.results).toEqual([
      { type: 'image', id: image.id, status: 404, error: { message: 'Not in the trash', code: 'NOT_FOUND' } },
    ]);
    await trashList(cast.subscriber).expect(403);
    await restore(cast.subscriber, { images: [image.id] }).expect(403);
    await restore(editor, { images: [image.id] }).expect(200);
    await api().delete(`/api/gallery/images/${image.id}`).set(editor.auth).expect(200);
    const files = await filesOf(image.id);
    expect(files.length).toBeGreaterThan(0);
    await api().delete(`/api/gallery/trash/images/${image.id}`).set(owner.auth).expect(200);
    expect(await t.db.image.count({ where: { id: image.id } })).toBe(0);
    expect(t.files().filter((file) => files.includes(file))).toEqual([]);
  });

  it('keeps its bytes from being uploaded again into its gallery, saying where they are', async () => {
    const gallery = await newGallery();
    const bytes = await pngBytes();
    const first = await upload(t, owner, { gallery }, { bytes }).expect(201);
    await api().delete(`/api/gallery/images/${first.body.id}`).set(owner.auth).expect(200);
    const again = await upload(t, owner, { gallery }, { bytes }).expect(409);
    expect(again.body.message).toBe(
      `Gallery ${gallery} has an image with the same bytes in the trash (image ${first.body.id}): restore it instead.`,
    );
    expect(t.files().filter((file) => file.startsWith('tmp/'))).toEqual([]);
  });
});

describe('a gallery in the trash', () => {
  it('hides its images and links, and comes back with the same images, members and links', async () => {
    const gallery = await newGallery(owner, 'private');
    await api()
      .post(`/api/gallery/galleries/${gallery}/members`)
      .set(owner.auth)
      .send({ username: cast.subscriber.username, role: 'viewer' })
      .expect(201);
    const [kept, alone] = [await createImage(t, owner, gallery), await createImage(t, owner, gallery)];
    await api().delete(`/api/gallery/images/${alone.id}`).set(owner.auth).expect(200);
    const link = await api().post(`/api/gallery/galleries/${gallery}/links/`).set(owner.auth).send({}).expect(201);
    await api().get(`/api/share/${link.body.key}`).expect(200);

    await api().delete(`/api/gallery/galleries/${gallery}`).set(owner.auth).expect(200);
    await api().get(`/api/gallery/galleries/${gallery}`).set(owner.auth).expect(404);
    await api().get(`/api/gallery/images/${kept.id}`).set(owner.auth).expect(404);
    const missingKey = await api().get(
      `/api/share/${link.body.key.replace(/.$/, (c: string) => (c === 'a' ? 'b' : 'a'))}`,
    );
    const hidden = await api().get(`/api/share/${link.body.key}`);
    expect([hidden.status, hidden.body]).toEqual([missingKey.status, missingKey.body]);

    const entries = (await trashList(owner).expect(200)).body as { type: string; id: number; imageCount?: number }[];
    expect(entries.find((e) => e.type === 'gallery' && e.id === gallery)).toMatchObject({ imageCount: 1 });
    expect(entries.some((e) => e.type === 'image' && e.id === alone.id)).toBe(false);
    const early = await restore(owner, { images: [alone.id] }).expect(207);
    expect(early.body.results[0]).toMatchObject({
      status: 409,
      error: {
        message: `Image ${alone.id} is in gallery ${gallery}, which is in the trash: restore the gallery first.`,
      },
    });

    const both = await restore(owner, { images: [alone.id], galleries: [gallery] }).expect(200);
    expect(both.body.results.map((r: { type: string }) => r.type)).toEqual(['gallery', 'image']);
    await api().get(`/api/gallery/view-images/${kept.id}`).set(cast.subscriber.auth).expect(200);
    await api().get(`/api/gallery/view-images/${alone.id}`).set(cast.subscriber.auth).expect(200);
    await api().get(`/api/share/${link.body.key}`).expect(200);
  });
});

describe('the trash list', () => {
  it('pages newest trashed first, galleries and images together, each entry once', async () => {
    const other = await createUser(t, 'beta_player');
    const trashed: string[] = [];
    for (let n = 0; n < 3; n++) {
      const gallery = await newGallery(other);
      const image = await createImage(t, other, gallery);
      await api().delete(`/api/gallery/images/${image.id}`).set(other.auth).expect(200);
      await api().delete(`/api/gallery/galleries/${gallery}`).set(other.auth).expect(200);
      trashed.push(`gallery:${gallery}`);
    }
    const seen: string[] = [];
    let next: string | undefined = '/api/gallery/trash/?limit=1';
    while (next) {
      const page: request.Response = await api().get(next).set(other.auth).expect(200);
      seen.push(...page.body.map((e: { type: string; id: number }) => `${e.type}:${e.id}`));
      next = /<([^>]+)>; rel="next"/.exec(page.headers.link ?? '')?.[1];
    }
    // The images went with their galleries: only the galleries are listed, newest first.
    expect(seen).toEqual([...trashed].reverse());
    await trashList(other, '?cursor=bm90LWEtY3Vyc29y').expect(400);
  });
});

describe('restoring many', () => {
  it('answers each item, refuses more than 500 and an empty list', async () => {
    const gallery = await newGallery();
    const image = await createImage(t, owner, gallery);
    await api().delete(`/api/gallery/images/${image.id}`).set(owner.auth).expect(200);
    const mixed = await restore(owner, { images: [image.id, 999999], galleries: [999998] }).expect(207);
    expect(mixed.body.results.map((r: { id: number; status: number }) => [r.id, r.status])).toEqual([
      [999998, 404],
      [image.id, 200],
      [999999, 404],
    ]);
    await restore(owner, {}).expect(400);
    await restore(owner, { images: Array.from({ length: 501 }, (_, n) => n + 1) }).expect(400);
    await restore(owner, { images: ['x'] }).expect(400);
  });

  it('brings an image back once when 120 restores of it race, and a delete raced 120 times trashes it once', async () => {
    const gallery = await newGallery();
    const image = await createImage(t, owner, gallery);
    const deletes = await Promise.all(
      Array.from({ length: 120 }, () => api().delete(`/api/gallery/images/${image.id}`).set(owner.auth)),
    );
    expect(deletes.filter((r) => r.status === 200)).toHaveLength(1);
    expect(deletes.every((r) => r.status === 200 || r.status === 404)).toBe(true);
    const restores = await Promise.all(Array.from({ length: 120 }, () => restore(owner, { images: [image.id] })));
    expect(restores.filter((r) => r.status === 200)).toHaveLength(1);
    expect(restores.every((r) => r.status === 200 || r.body.results[0].status === 404)).toBe(true);
    const events = await t.db.auditEvent.findMany({ where: { targetId: image.id, targetType: 'image' } });
    expect(events.filter((e) => e.action === 'image.trash')).toHaveLength(1);
    expect(events.filter((e) => e.action === 'image.restore')).toHaveLength(1);
  });
});

describe('the quota', () => {
  it('counts bytes in the trash until they are deleted for good', async () => {
    const small = await startTestApp({ STORAGE_QUOTA_MB: '1' });
    try {
      const user = await createUser(small, 'beta_player');
      const gallery = (
        await request(small.app).post('/api/gallery/galleries/').set(user.auth).send({ name: 'q' }).expect(201)
      ).body.id as number;
      const png = () =>
        sharp({ create: { width: 500, height: 400, channels: 3, background: uniqueColor() } })
          .png({ compressionLevel: 0 })
          .toBuffer();
      const first = await upload(small, user, { gallery }, { bytes: await png() }).expect(201);
      await request(small.app).delete(`/api/gallery/images/${first.body.id}`).set(user.auth).expect(200);
      await upload(small, user, { gallery }, { bytes: await png() }).expect(413);
      await request(small.app).delete('/api/gallery/trash/').set(user.auth).expect(200, {
        message: 'Trash emptied',
        images: 1,
        galleries: 0,
        remaining: 0,
      });
      await upload(small, user, { gallery }, { bytes: await png() }).expect(201);
    } finally {
      await small.close();
    }
  });
});

describe('emptying the trash', () => {
  it("deletes for good what is in the caller's galleries, not others'; an admin empties all", async () => {
    const mine = await newGallery(owner);
    const theirs = await newGallery(cast.otherPlayer);
    const [a, b] = [await createImage(t, owner, mine), await createImage(t, cast.otherPlayer, theirs)];
    await api().delete(`/api/gallery/images/${a.id}`).set(owner.auth).expect(200);
    await api().delete(`/api/gallery/images/${b.id}`).set(cast.otherPlayer.auth).expect(200);
    const emptied = await api().delete('/api/gallery/trash').set(owner.auth).expect(200);
    expect(emptied.body.images).toBeGreaterThanOrEqual(1);
    expect(await t.db.image.count({ where: { id: a.id } })).toBe(0);
    expect(await t.db.image.count({ where: { id: b.id } })).toBe(1);
    await api().delete('/api/gallery/trash').set(cast.admin.auth).expect(200);
    expect(await t.db.image.count({ where: { trashed: true } })).toBe(0);
    expect(await t.db.gallery.count({ where: { trashed: true } })).toBe(0);
  });

  /** `count` images in the trash of a new gallery of the owner's, as rows (their files never were). */
  const trashedRows = async (count: number) => {
    const gallery = await newGallery(owner);
    await t.db.image.createMany({
      data: Array.from({ length: count }, (_, n) => ({
        galleryId: gallery,
        uploaderId: owner.id,
        title: `old ${n}`,
        storageKey: `${sha(Buffer.from(`${gallery} ${n}`)).slice(0, 32)}.png`,
        mimeType: 'image/png',
        size: 1,
        sha256: sha(Buffer.from(`${gallery} ${n}`)),
        trashed: true,
        trashedAt: new Date(),
      })),
    });
    return gallery;
  };

  it('empties a very full trash over several requests of at most 500 items, saying what is left', async () => {
    await api().delete('/api/gallery/trash').set(owner.auth).expect(200);
    const gallery = await trashedRows(501);
    const first = await api().delete('/api/gallery/trash').set(owner.auth).expect(200);
    expect(first.body).toEqual({
      message: 'Trash partly emptied: 1 left, empty it again',
      images: 500,
      galleries: 0,
      remaining: 1,
    });
    expect(await t.db.image.count({ where: { galleryId: gallery } })).toBe(1);
    const second = await api().delete('/api/gallery/trash').set(owner.auth).expect(200);
    expect(second.body).toEqual({ message: 'Trash emptied', images: 1, galleries: 0, remaining: 0 });
    expect(await t.db.image.count({ where: { galleryId: gallery } })).toBe(0);
  });

  it('deletes each item once when 100 requests empty the same trash at once', async () => {
    const gallery = await trashedRows(40);
    const replies = await Promise.all(
      Array.from({ length: 100 }, () => api().delete('/api/gallery/trash').set(owner.auth)),
    );
    for (const reply of replies) expect(reply.status).toBe(200);
    // They do not race for the items: the first run deletes them all, the crowd shares the next.
    expect(replies.filter((reply) => (reply.body as { images: number }).images > 0)).toHaveLength(1);
    // Each request stops after 10 seconds: what the crowd left, the next requests take.
    for (let round = 0; round < 10 && replies[replies.length - 1].body.remaining > 0; round++)
      replies.push(await api().delete('/api/gallery/trash').set(owner.auth).expect(200));
    expect(replies[replies.length - 1].body.remaining).toBe(0);
    expect(replies.reduce((sum, reply) => sum + (reply.body as { images: number }).images, 0)).toBe(40);
    expect(await t.db.image.count({ where: { galleryId: gallery } })).toBe(0);
  });
});

describe('the purge', () => {
  it('deletes for good, rows and files, what has been in the trash TRASH_DAYS, and nothing younger', async () => {
    const gallery = await newGallery();
    const [old, young, live] = [
      await createImage(t, owner, gallery),
      await createImage(t, owner, gallery),
      await createImage(t, owner, gallery),
    ];
    const oldGallery = await newGallery();
    const inOldGallery = await createImage(t, owner, oldGallery);
    const doomedFiles = [...(await filesOf(old.id)), ...(await filesOf(inOldGallery.id))];
    await api().delete(`/api/gallery/images/${old.id}`).set(owner.auth).expect(200);
    await api().delete(`/api/gallery/galleries/${oldGallery}`).set(owner.auth).expect(200);
    const later = Date.now() + 20 * DAY;
    await api().delete(`/api/gallery/images/${young.id}`).set(owner.auth).expect(200);
    // The young one was trashed "20 days later": move its time on, as the clock would.
    await t.db.image.update({ where: { id: young.id }, data: { trashedAt: new Date(later) } });

    expect(await t.app.locals.purgeTrash(new Date(Date.now() + 29 * DAY))).toMatchObject({ images: 0, galleries: 0 });
    const purged = await t.app.locals.purgeTrash(new Date(Date.now() + 31 * DAY));
    expect(purged).toMatchObject({ ran: true, images: 1, galleries: 1 });
    expect(await t.db.image.count({ where: { id: { in: [old.id, inOldGallery.id] } } })).toBe(0);
    expect(await t.db.gallery.count({ where: { id: oldGallery } })).toBe(0);
    expect(t.files().filter((file) => doomedFiles.includes(file))).toEqual([]);
    expect(await t.db.image.findUniqueOrThrow({ where: { id: young.id } })).toMatchObject({ trashed: true });
    await api().get(`/api/gallery/images/${live.id}`).set(owner.auth).expect(200);
    const events = await t.db.auditEvent.findMany({ where: { action: { in: ['image.purge', 'gallery.purge'] } } });
    expect(events.find((e) => e.targetId === old.id)).toMatchObject({
      actorId: null,
      detail: 'expired after 30 days in the trash',
    });
  });
});

describe('with TRASH_DAYS=0', () => {
  it('deletes at once and for good, as before', async () => {
    const final = await startTestApp({ TRASH_DAYS: '0' });
    try {
      const user = await createUser(final, 'beta_player');
      const gallery = (
        await request(final.app).post('/api/gallery/galleries/').set(user.auth).send({ name: 'f' }).expect(201)
      ).body.id as number;
      const image = await createImage(final, user, gallery);
      const res = await request(final.app).delete(`/api/gallery/images/${image.id}`).set(user.auth).expect(200);
      expect(res.body).toEqual({ message: 'Image deleted successfully', trashed: false, purgeAt: null });
      expect(await final.db.image.count()).toBe(0);
      expect(final.files().filter((file) => file.startsWith('images/'))).toEqual([]);
      const gone = await request(final.app).delete(`/api/gallery/galleries/${gallery}`).set(user.auth).expect(200);
      expect(gone.body).toEqual({ message: 'Gallery deleted successfully', trashed: false, purgeAt: null });
      expect(await final.db.gallery.count()).toBe(0);
    } finally {
      await final.close();
    }
  });
});

describe('TRASH_DAYS lowered to 0 with items in the trash', () => {
  it('deletes them for good at the next purge, and counts only what it deleted', async () => {
    const gallery = await newGallery();
    const image = await createImage(t, owner, gallery);
    await api().delete(`/api/gallery/images/${image.id}`).set(owner.auth).expect(200);
    const files = await filesOf(image.id);
    const due = { trashed: true, trashedAt: { lte: new Date() } };
    const inTrash = await t.db.image.count({ where: due });
    const node = await startTestApp({ TRASH_DAYS: '0' }, { sameDatabaseAs: t });
    try {
      expect(await node.app.locals.purgeTrash()).toMatchObject({ ran: true, images: inTrash });
      expect(await node.app.locals.purgeTrash()).toMatchObject({ ran: true, images: 0, galleries: 0 });
    } finally {
      await node.close();
    }
    expect(await t.db.image.count({ where: due })).toBe(0);
    expect(await t.db.image.count({ where: { id: image.id } })).toBe(0);
    expect(t.files().filter((file) => files.includes(file))).toEqual([]);
  });
});
