import request from 'supertest';

import { createCast, createImage, createUser, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Favorites: each user stars the images they may see (view-only roles too), and only their own
 * replies show it. Starring twice and unstarring what is not starred succeed and change nothing.
 */
let t: TestApp;
let cast: Awaited<ReturnType<typeof createCast>>;

beforeAll(async () => {
  t = await startTestApp();
  cast = await createCast(t);
});
afterAll(async () => {
  await t.close();
});

const api = () => request(t.app);
const IMAGES = '/api/gallery/images';

async function gallery(owner: TestUser, visibility = 'shared') {
  return (await api().post('/api/gallery/galleries/').set(owner.auth).send({ name: 'g', visibility }).expect(201)).body
    .id as number;
}

const star = (id: number, user: TestUser) => api().put(`${IMAGES}/${id}/favorite`).set(user.auth);
const unstar = (id: number, user: TestUser) => api().delete(`${IMAGES}/${id}/favorite`).set(user.auth);
const favoriteFor = async (id: number, user: TestUser) =>
  (await api().get(`/api/gallery/view-images/${id}`).set(user.auth).expect(200)).body.favorite as boolean;

describe('starring an image', () => {
  it('is idempotent both ways, and shows in the star’s own replies only', async () => {
    const image = await createImage(t, cast.owner, await gallery(cast.owner));
    const first = await star(image.id, cast.subscriber).expect(200);
    expect(first.body).toMatchObject({ id: image.id, favorite: true, tags: [] });
    await star(image.id, cast.subscriber).expect(200);
    expect(await t.db.favorite.count({ where: { imageId: image.id } })).toBe(1);

    expect(await favoriteFor(image.id, cast.subscriber)).toBe(true);
    expect(await favoriteFor(image.id, cast.owner)).toBe(false);
    expect(await favoriteFor(image.id, cast.admin)).toBe(false);
    const full = await api().get(`${IMAGES}/${image.id}`).set(cast.owner.auth).expect(200);
    expect(full.body.favorite).toBe(false);

    const off = await unstar(image.id, cast.subscriber).expect(200);
    expect(off.body.favorite).toBe(false);
    await unstar(image.id, cast.subscriber).expect(200);
    expect(await t.db.favorite.count({ where: { imageId: image.id } })).toBe(0);
  });

  it('a page shows each image’s star for the caller, not another user’s', async () => {
    const galleryId = await gallery(cast.owner);
    const [a, b, c] = [
      await createImage(t, cast.owner, galleryId),
      await createImage(t, cast.owner, galleryId),
      await createImage(t, cast.owner, galleryId),
    ];
    await star(a.id, cast.companyUser).expect(200);
    await star(c.id, cast.companyUser).expect(200);
    await star(b.id, cast.otherPlayer).expect(200);
    const starred = async (user: TestUser, path = IMAGES) => {
      const page = await api().get(`${path}/?gallery=${galleryId}`).set(user.auth).expect(200);
      return Object.fromEntries(
        page.body.map((image: { id: number; favorite: boolean }) => [image.id, image.favorite]),
      );
    };
    expect(await starred(cast.companyUser, '/api/gallery/view-images')).toEqual({
      [a.id]: true,
      [b.id]: false,
      [c.id]: true,
    });
    expect(await starred(cast.otherPlayer)).toEqual({ [a.id]: false, [b.id]: true, [c.id]: false });
    expect(await starred(cast.owner)).toEqual({ [a.id]: false, [b.id]: false, [c.id]: false });
  });

  it('stars of a user go with the user’s own rows only', async () => {
    const image = await createImage(t, cast.owner, await gallery(cast.owner));
    const [one, two] = [await createUser(t, 'subscriber'), await createUser(t, 'subscriber')];
    await Promise.all([star(image.id, one), star(image.id, two), star(image.id, one)]);
    const rows = await t.db.favorite.findMany({ where: { imageId: image.id }, orderBy: { userId: 'asc' } });
    expect(rows.map((row) => row.userId)).toEqual([one.id, two.id].sort((x, y) => x - y));
    await unstar(image.id, one).expect(200);
    expect(await favoriteFor(image.id, two)).toBe(true);
  });
});

describe('who may star', () => {
  it('anyone who may see the image: a viewer member yes, a non-member of a private gallery 404', async () => {
    const privateGallery = await gallery(cast.owner, 'private');
    const image = await createImage(t, cast.owner, privateGallery);
    const viewer = await createUser(t, 'subscriber');
    await api()
      .post(`/api/gallery/galleries/${privateGallery}/members`)
      .set(cast.owner.auth)
      .send({ username: viewer.username, role: 'viewer' })
      .expect(201);
    expect((await star(image.id, viewer)).status).toBe(200);
    expect((await star(image.id, cast.owner)).status).toBe(200);
    expect((await star(image.id, cast.admin)).status).toBe(200);
    const outsider = await star(image.id, cast.otherPlayer);
    expect(outsider.status).toBe(404);
    expect(outsider.body.code).toBe('NOT_FOUND');
    expect((await unstar(image.id, cast.subscriber)).status).toBe(404);
    expect((await api().put(`${IMAGES}/${image.id}/favorite`)).status).toBe(401);
    expect((await star(999_999, cast.owner)).status).toBe(404);
    const starredBy = await t.db.favorite.findMany({ where: { imageId: image.id }, select: { userId: true } });
    expect(starredBy.map((row) => row.userId).sort((x, y) => x - y)).toEqual(
      [viewer.id, cast.owner.id, cast.admin.id].sort((x, y) => x - y),
    );
  });

  it('an image in the trash cannot be starred', async () => {
    const image = await createImage(t, cast.owner, await gallery(cast.owner));
    await api().delete(`${IMAGES}/${image.id}`).set(cast.owner.auth).expect(200);
    expect((await star(image.id, cast.owner)).status).toBe(404);
  });

  it('a user without a role may not', async () => {
    const image = await createImage(t, cast.owner, await gallery(cast.owner));
    const nobody = await createUser(t, null);
    expect((await star(image.id, nobody)).status).toBe(403);
  });
});

describe('share links', () => {
  it('a link’s page shows tags, and favorite false even for an image its maker starred', async () => {
    const galleryId = await gallery(cast.owner);
    const image = await createImage(t, cast.owner, galleryId);
    await api()
      .post(`${IMAGES}/${image.id}/tags`)
      .set(cast.owner.auth)
      .send({ tags: ['Shared'] })
      .expect(200);
    await star(image.id, cast.owner).expect(200);
    const link = await api()
      .post(`/api/gallery/galleries/${galleryId}/links/`)
      .set(cast.owner.auth)
      .send({})
      .expect(201);
    const page = await api().get(`/api/share/${link.body.key}`).set('Accept', 'application/json').expect(200);
    expect(page.body.images).toEqual([expect.objectContaining({ id: image.id, tags: ['shared'], favorite: false })]);
  });
});
