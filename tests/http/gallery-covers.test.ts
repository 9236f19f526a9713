import request from 'supertest';

import type { Database } from '../../src/platform/db/client';
import { createCast, createImage, createUser, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * A gallery's cover: the image its owner chose while it is a live image of the gallery, else the
 * gallery's most recent image; never an image of another gallery, so never one of a private
 * gallery the caller cannot see. In the list (one query for the page, however many galleries)
 * and in every reply that carries a gallery.
 */
let t: TestApp;
let owner: TestUser;
let admin: TestUser;
let otherPlayer: TestUser;
let subscriber: TestUser;
let editor: TestUser;
let viewerMember: TestUser;
/** Image links carry the Host; supertest's changes with every request. */
const HOST = 'gallery.test';

type Cover = {
  id: number;
  width: number;
  height: number;
  thumbhash: string | null;
  thumbnailUrl: string;
  chosen: boolean;
};
type GalleryJson = { id: number; name: string; imageCount: number; cover: Cover | null };

beforeAll(async () => {
  t = await startTestApp();
  ({ owner, admin, otherPlayer, subscriber } = await createCast(t));
  [editor, viewerMember] = await Promise.all([createUser(t, 'beta_player'), createUser(t, 'subscriber')]);
});
afterAll(async () => {
  await t.close();
});

async function newGallery(user: TestUser, visibility: 'shared' | 'private' = 'shared', name = 'Album') {
  const res = await request(t.app)
    .post('/api/gallery/galleries/')
    .set(user.auth)
    .send({ name, visibility })
    .expect(201);
  return res.body as GalleryJson;
}

const show = async (user: TestUser, id: number) =>
  (await request(t.app).get(`/api/gallery/galleries/${id}/`).set(user.auth).set('Host', HOST).expect(200))
    .body as GalleryJson;

const setCover = (user: TestUser, id: number, coverImage: unknown) =>
  request(t.app).patch(`/api/gallery/galleries/${id}/`).set(user.auth).send({ coverImage });

/** Every gallery `user` sees, through every page of two. */
async function listAll(user: TestUser): Promise<GalleryJson[]> {
  const seen: GalleryJson[] = [];
  let next: string | undefined = '/api/gallery/galleries/?limit=2';
  while (next) {
    const res: request.Response = await request(t.app).get(next).set(user.auth).set('Host', HOST).expect(200);
    seen.push(...(res.body as GalleryJson[]));
    next = res.headers.link ? /<([^>]+)>; rel="next"/.exec(res.headers.link)![1] : undefined;
  }
  return seen;
}

const inList = async (user: TestUser, id: number) => (await listAll(user)).find((g) => g.id === id);

/** An image's own reply, as the grid gets it. */
const imageJson = async (id: number) =>
  (await request(t.app).get(`/api/gallery/images/${id}/`).set(owner.auth).set('Host', HOST).expect(200)).body as {
    thumbnail: string;
    width: number;
    height: number;
    thumbhash: string | null;
  };

describe('the default cover', () => {
  it('is null for an empty gallery, then the most recent image, in the list and the gallery alike', async () => {
    const gallery = await newGallery(owner);
    expect(gallery.cover).toBeNull();
    expect((await inList(owner, gallery.id))?.cover).toBeNull();
    await createImage(t, owner, gallery.id, 'first');
    const second = await createImage(t, owner, gallery.id, 'second');
    const image = await imageJson(second.id);
    const expected = {
      id: second.id,
      width: image.width,
      height: image.height,
      thumbhash: image.thumbhash,
      thumbnailUrl: image.thumbnail,
      chosen: false,
    };
    expect((await show(owner, gallery.id)).cover).toEqual(expected);
    expect((await inList(owner, gallery.id))?.cover).toEqual(expected);
    // The thumbnail is the grid's own URL, and it answers with the image's thumbnail.
    const url = new URL(expected.thumbnailUrl);
    const thumb = await request(t.app).get(`${url.pathname}${url.search}`).set(subscriber.auth);
    expect(thumb.status).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
  });

  it('changes the gallery ETag when a new image becomes the cover', async () => {
    const gallery = await newGallery(owner);
    await createImage(t, owner, gallery.id);
    const get = () => request(t.app).get(`/api/gallery/galleries/${gallery.id}/`).set(owner.auth).set('Host', HOST);
    const etag = (await get().expect(200)).headers.etag;
    await get().set('If-None-Match', etag).expect(304);
    const newer = await createImage(t, owner, gallery.id);
    const again = await get().set('If-None-Match', etag);
    expect(again.status).toBe(200);
    expect(again.body.cover.id).toBe(newer.id);
  });
});

describe('a chosen cover', () => {
  it('is kept over newer images until set back to null', async () => {
    const gallery = await newGallery(owner);
    const chosen = await createImage(t, owner, gallery.id);
    await createImage(t, owner, gallery.id);
    const res = await setCover(owner, gallery.id, chosen.id).expect(200);
    expect(res.body.cover).toMatchObject({ id: chosen.id, chosen: true });
    const newest = await createImage(t, owner, gallery.id);
    expect((await show(owner, gallery.id)).cover).toMatchObject({ id: chosen.id, chosen: true });
    expect((await inList(subscriber, gallery.id))?.cover).toMatchObject({ id: chosen.id, chosen: true });
    const back = await setCover(owner, gallery.id, null).expect(200);
    expect(back.body.cover).toMatchObject({ id: newest.id, chosen: false });
  });

  it('may be given as a string of digits (a form field) and alongside other changes', async () => {
    const gallery = await newGallery(owner);
    const image = await createImage(t, owner, gallery.id);
    await createImage(t, owner, gallery.id);
    const res = await request(t.app)
      .patch(`/api/gallery/galleries/${gallery.id}/`)
      .set(owner.auth)
      .send({ name: 'Renamed', coverImage: String(image.id) })
      .expect(200);
    expect(res.body).toMatchObject({ name: 'Renamed', cover: { id: image.id, chosen: true } });
  });

  it('falls back to the most recent image once it is moved to another gallery', async () => {
    const gallery = await newGallery(owner);
    const elsewhere = await newGallery(owner);
    const chosen = await createImage(t, owner, gallery.id);
    const remaining = await createImage(t, owner, gallery.id);
    await setCover(owner, gallery.id, chosen.id).expect(200);
    await request(t.app)
      .patch(`/api/gallery/images/${chosen.id}/`)
      .set(owner.auth)
      .send({ gallery: elsewhere.id })
      .expect(200);
    expect((await show(owner, gallery.id)).cover).toMatchObject({ id: remaining.id, chosen: false });
    expect((await inList(owner, gallery.id))?.cover).toMatchObject({ id: remaining.id, chosen: false });
    expect((await show(owner, elsewhere.id)).cover).toMatchObject({ id: chosen.id, chosen: false });
  });

  it('falls back once it is deleted (the reference goes too), and while its delete is under way', async () => {
    const gallery = await newGallery(owner);
    const older = await createImage(t, owner, gallery.id);
    const chosen = await createImage(t, owner, gallery.id);
    const newest = await createImage(t, owner, gallery.id);
    await setCover(owner, gallery.id, older.id).expect(200);
    // A delete that has begun (the row marked, its files not yet removed) hides it at once.
    await t.db.image.update({ where: { id: older.id }, data: { deleting: true } });
    expect((await show(owner, gallery.id)).cover).toMatchObject({ id: newest.id, chosen: false });
    await setCover(owner, gallery.id, chosen.id).expect(200);
    // In the trash it is not the cover; restored, it is again; deleted for good, the reference goes.
    await request(t.app).delete(`/api/gallery/images/${chosen.id}/`).set(owner.auth).expect(200);
    expect((await show(owner, gallery.id)).cover).toMatchObject({ id: newest.id, chosen: false });
    await request(t.app)
      .post('/api/gallery/trash/restore')
      .set(owner.auth)
      .send({ images: [chosen.id] })
      .expect(200);
    expect((await show(owner, gallery.id)).cover).toMatchObject({ id: chosen.id, chosen: true });
    await request(t.app).delete(`/api/gallery/images/${chosen.id}/`).set(owner.auth).expect(200);
    await request(t.app).delete(`/api/gallery/trash/images/${chosen.id}/`).set(owner.auth).expect(200);
    expect((await t.db.gallery.findUniqueOrThrow({ where: { id: gallery.id } })).coverImageId).toBeNull();
    expect((await show(owner, gallery.id)).cover).toMatchObject({ id: newest.id, chosen: false });
    await request(t.app).delete(`/api/gallery/images/${newest.id}/`).set(owner.auth).expect(200);
    await t.db.image.update({ where: { id: older.id }, data: { deleting: false } });
    expect((await show(owner, gallery.id)).cover).toMatchObject({ id: older.id });
  });

  it('is gone with its gallery: deleting a gallery whose cover was chosen leaves nothing behind', async () => {
    const gallery = await newGallery(owner);
    const image = await createImage(t, owner, gallery.id);
    await setCover(owner, gallery.id, image.id).expect(200);
    await request(t.app).delete(`/api/gallery/galleries/${gallery.id}/`).set(owner.auth).expect(200);
    await request(t.app).delete(`/api/gallery/trash/galleries/${gallery.id}/`).set(owner.auth).expect(200);
    expect(await t.db.gallery.count({ where: { id: gallery.id } })).toBe(0);
    expect(await t.db.image.count({ where: { id: image.id } })).toBe(0);
  });
});

describe('choosing a cover', () => {
  it('refuses an image of another gallery with the reply a missing image gets, even one of a private gallery', async () => {
    const gallery = await newGallery(owner);
    await createImage(t, owner, gallery.id);
    const ownOther = await createImage(t, owner, (await newGallery(owner)).id);
    const hidden = await createImage(t, otherPlayer, (await newGallery(otherPlayer, 'private')).id);
    const missing = await setCover(owner, gallery.id, 2_000_000_000).expect(400);
    expect(missing.body).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'coverImage: No image with that id in this gallery.',
      details: [{ path: 'coverImage', message: 'No image with that id in this gallery.' }],
    });
    for (const id of [ownOther.id, hidden.id]) {
      const res = await setCover(owner, gallery.id, id);
      expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: missing.body });
    }
    expect((await t.db.gallery.findUniqueOrThrow({ where: { id: gallery.id } })).coverImageId).toBeNull();
  });

  it('refuses ids that are not ids, and an empty change', async () => {
    const gallery = await newGallery(owner);
    for (const bad of [0, -1, 1.5, 'abc', '1e3', true, {}]) await setCover(owner, gallery.id, bad).expect(400);
    const empty = await request(t.app)
      .patch(`/api/gallery/galleries/${gallery.id}/`)
      .set(owner.auth)
      .send({})
      .expect(400);
    expect(empty.body.message).toMatch(/coverImage/);
  });

  it('is for the owner and admins: not for editors, viewers, view-only roles or other users', async () => {
    const gallery = await newGallery(owner);
    const privateOne = await newGallery(owner, 'private');
    const image = await createImage(t, owner, gallery.id);
    const privateImage = await createImage(t, owner, privateOne.id);
    for (const [user, role] of [
      [editor, 'editor'],
      [viewerMember, 'viewer'],
    ] as const) {
      for (const id of [gallery.id, privateOne.id])
        await request(t.app)
          .post(`/api/gallery/galleries/${id}/members`)
          .set(owner.auth)
          .send({ username: user.username, role })
          .expect(201);
    }
    await setCover(editor, gallery.id, image.id).expect(403);
    await setCover(editor, privateOne.id, privateImage.id).expect(403);
    await setCover(viewerMember, privateOne.id, privateImage.id).expect(403);
    await setCover(subscriber, gallery.id, image.id).expect(403);
    await setCover(otherPlayer, gallery.id, image.id).expect(403);
    // A private gallery the caller cannot see: the reply a missing gallery gets.
    const hidden = await setCover(otherPlayer, privateOne.id, privateImage.id);
    const missing = await setCover(otherPlayer, 2_000_000_000, privateImage.id);
    expect({ status: hidden.status, body: hidden.body }).toEqual({ status: 404, body: missing.body });
    expect((await t.db.gallery.findUniqueOrThrow({ where: { id: privateOne.id } })).coverImageId).toBeNull();
    const byAdmin = await setCover(admin, privateOne.id, privateImage.id).expect(200);
    expect(byAdmin.body.cover).toMatchObject({ id: privateImage.id, chosen: true });
  });
});

describe('who sees which cover', () => {
  it('shows each caller the covers of the galleries they see, never an image of a gallery they cannot see', async () => {
    const shared = await newGallery(owner, 'shared', 'matrix shared');
    const privateOne = await newGallery(owner, 'private', 'matrix private');
    const sharedImage = await createImage(t, owner, shared.id);
    const privateImage = await createImage(t, owner, privateOne.id);
    await request(t.app)
      .post(`/api/gallery/galleries/${privateOne.id}/members`)
      .set(owner.auth)
      .send({ username: viewerMember.username, role: 'viewer' })
      .expect(201);
    // A reference to an image of the private gallery, written outside the API: never shown.
    await t.db.gallery.update({ where: { id: shared.id }, data: { coverImageId: privateImage.id } });
    // And an image moved from the shared gallery into the private one after it was chosen there.
    const sharedTwo = await newGallery(owner, 'shared', 'matrix shared two');
    const stays = await createImage(t, owner, sharedTwo.id);
    const moved = await createImage(t, owner, sharedTwo.id);
    await setCover(owner, sharedTwo.id, moved.id).expect(200);
    await request(t.app)
      .patch(`/api/gallery/images/${moved.id}/`)
      .set(owner.auth)
      .send({ gallery: privateOne.id })
      .expect(200);

    const callers: [TestUser, boolean][] = [
      [admin, true],
      [owner, true],
      [viewerMember, true],
      [otherPlayer, false],
      [subscriber, false],
    ];
    for (const [user, seesPrivate] of callers) {
      const all = await listAll(user);
      const byId = new Map(all.map((g) => [g.id, g]));
      expect(byId.get(shared.id)?.cover).toMatchObject({ id: sharedImage.id, chosen: false });
      expect(byId.get(sharedTwo.id)?.cover).toMatchObject({ id: stays.id, chosen: false });
      expect((await show(user, shared.id)).cover?.id).toBe(sharedImage.id);
      if (seesPrivate) {
        expect(byId.get(privateOne.id)?.cover).toMatchObject({ id: moved.id });
        expect((await show(user, privateOne.id)).cover?.id).toBe(moved.id);
      } else {
        expect(byId.has(privateOne.id)).toBe(false);
        await request(t.app).get(`/api/gallery/galleries/${privateOne.id}/`).set(user.auth).expect(404);
      }
      // No gallery this caller sees has a cover from a gallery it is not.
      const privateIds = new Set([privateImage.id, moved.id]);
      for (const g of all) if (g.id !== privateOne.id && g.cover) expect(privateIds.has(g.cover.id)).toBe(false);
    }
  });
});

describe('the list of galleries', () => {
  it('reads a page with its covers in the same number of queries, however many galleries it holds', async () => {
    // The statements that read galleries (the token's own lookups are another test's business).
    let reads = 0;
    const count = (text: string) => {
      if (text.includes('"Gallery"')) reads += 1;
    };
    const counted = await startTestApp(
      {},
      {
        sameDatabaseAs: t,
        wrap: (deps) => ({
          ...deps,
          reader: {
            ...deps.reader,
            all: (text, params) => (count(text), deps.reader.all(text, params)),
            rows: (text, params) => (count(text), deps.reader.rows(text, params)),
          },
          db: deps.db.$extends({
            query: {
              $allOperations: ({ args, query, model }) => {
                if (model === 'Gallery') reads += 1;
                return query(args);
              },
            },
          }) as unknown as Database,
        }),
      },
    );
    try {
      const user = await createUser(counted, 'beta_player');
      const page = async (limit: number) => {
        reads = 0;
        const res = await request(counted.app).get(`/api/gallery/galleries/?limit=${limit}`).set(user.auth).expect(200);
        const covers = (res.body as GalleryJson[]).filter((g) => g.cover).length;
        return { galleries: res.body.length as number, covers, reads };
      };
      const small = await page(2);
      const large = await page(40);
      expect(small.galleries).toBe(2);
      expect(large.galleries).toBeGreaterThan(10);
      expect(large.covers).toBeGreaterThan(5);
      expect(small.reads).toBe(1);
      expect(large.reads).toBe(1);
    } finally {
      await counted.close();
    }
  });
});
