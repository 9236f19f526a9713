import request from 'supertest';

import { createCast, createImage, createUser, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Tags on images: add, replace, remove, in bulk; their normal form and limits; who may change
 * them; the search text and the audit log that follow every change; and many requests creating
 * the same new tag at once.
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

async function newImage(owner = cast.owner, visibility = 'shared') {
  return createImage(t, owner, await gallery(owner, visibility));
}

const addTags = (id: number, tags: unknown, user = cast.owner) =>
  api().post(`${IMAGES}/${id}/tags`).set(user.auth).send({ tags });
const setTags = (id: number, tags: unknown, user = cast.owner) =>
  api().put(`${IMAGES}/${id}/tags`).set(user.auth).send({ tags });

const storedTags = async (id: number) =>
  (await t.db.imageTag.findMany({ where: { imageId: id }, include: { tag: true } })).map((row) => row.tag.name).sort();
const searchText = async (id: number) =>
  (await t.db.image.findUniqueOrThrow({ where: { id }, select: { searchText: true } })).searchText;

describe('changing the tags of an image', () => {
  it('adds, replaces and removes tags; every reply, the list and the search text show them sorted', async () => {
    const image = await newImage();
    const added = await addTags(image.id, ['Sunset', '  Beach   Walk ']).expect(200);
    expect(added.body).toMatchObject({ message: 'Tags updated', id: image.id, tags: ['beach walk', 'sunset'] });
    expect(await searchText(image.id)).toBe(`${image.title}\n\nbeach walk sunset`);

    await addTags(image.id, ['SUNSET', 'dunes']).expect(200);
    const shown = await api().get(`${IMAGES}/${image.id}`).set(cast.owner.auth).expect(200);
    expect(shown.body.tags).toEqual(['beach walk', 'dunes', 'sunset']);
    const listed = await api().get(`${IMAGES}/?gallery=${image.gallery}`).set(cast.owner.auth).expect(200);
    expect(listed.body[0]).toMatchObject({ id: image.id, tags: ['beach walk', 'dunes', 'sunset'], favorite: false });

    const removed = await api()
      .delete(`${IMAGES}/${image.id}/tags/${encodeURIComponent(' Dunes')}`)
      .set(cast.owner.auth);
    expect(removed.status).toBe(200);
    expect(removed.body.tags).toEqual(['beach walk', 'sunset']);
    await api().delete(`${IMAGES}/${image.id}/tags/never`).set(cast.owner.auth).expect(200);

    const replaced = await setTags(image.id, ['night', 'Sunset']).expect(200);
    expect(replaced.body.tags).toEqual(['night', 'sunset']);
    expect(await storedTags(image.id)).toEqual(['night', 'sunset']);
    expect(await searchText(image.id)).toBe(`${image.title}\n\nnight sunset`);

    await setTags(image.id, []).expect(200);
    expect(await storedTags(image.id)).toEqual([]);
    expect(await searchText(image.id)).toBe(`${image.title}\n`);
  });

  it('records each change as image.tag with the names added and removed', async () => {
    const image = await newImage();
    await addTags(image.id, ['one', 'two']).expect(200);
    await setTags(image.id, ['two', 'three']).expect(200);
    const events = await t.db.auditEvent.findMany({
      where: { action: 'image.tag', targetId: image.id },
      orderBy: { id: 'asc' },
    });
    expect(events.map((event) => JSON.parse(event.detail ?? '{}'))).toEqual([
      { added: ['one', 'two'], removed: [] },
      { added: ['three'], removed: ['one'] },
    ]);
    expect(events[0].actorId).toBe(cast.owner.id);
  });

  it('stores the normal form: NFC, trimmed, white space collapsed, lower case; one tag per normal form', async () => {
    const image = await newImage();
    const res = await addTags(image.id, ['Cafe\u0301', 'caf\u00e9', ' ÉTÉ\u00a0 2024 ', 'été 2024']).expect(200);
    expect(res.body.tags).toEqual(['caf\u00e9', '\u00e9t\u00e9 2024']);
    expect(await t.db.tag.count({ where: { name: 'caf\u00e9' } })).toBe(1);
  });
});

describe('limits and bad input: 400, nothing written', () => {
  let id: number;
  beforeAll(async () => {
    id = (await newImage()).id;
  });

  it.each([
    ['65 characters', ['x'.repeat(65)], 'at most 64'],
    ['a control character', ['bell\u0007'], 'control characters'],
    ['a tab', ['a\tb'], 'control characters'],
    ['an empty tag', [''], 'empty'],
    ['white space only', ['   '], 'empty'],
    ['51 tags', Array.from({ length: 51 }, (_, n) => `t${n}`), 'at most 50'],
    ['not a list', 'sunset', ''],
    ['a number', [42], ''],
  ])('%s', async (_, tags, message) => {
    const res = await setTags(id, tags);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(String(JSON.stringify(res.body)).toLowerCase()).toContain(message);
    expect(await storedTags(id)).toEqual([]);
  });

  it('takes 64 characters and 50 tags', async () => {
    const fifty = Array.from({ length: 49 }, (_, n) => `tag ${n}`);
    const res = await setTags(id, [...fifty, 'y'.repeat(64)]).expect(200);
    expect(res.body.tags).toHaveLength(50);
  });

  it('refuses a change that would take the image past 50, naming the limit', async () => {
    const res = await addTags(id, ['one more']);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/at most 50 tags/);
    expect(await storedTags(id)).toHaveLength(50);
    await addTags(id, ['TAG 0']).expect(200);
  });

  it('refuses an add of no tags', async () => {
    expect((await addTags(id, [])).status).toBe(400);
  });
});

describe('who may change tags', () => {
  it('those who may change the image: owner, editor member, admin; not a viewer member, another user, a view-only role', async () => {
    const owner = cast.owner;
    const privateImage = await newImage(owner, 'private');
    const sharedImage = await newImage(owner, 'shared');
    const [editor, viewer] = [await createUser(t, 'beta_player'), await createUser(t, 'beta_player')];
    for (const [user, role] of [
      [editor, 'editor'],
      [viewer, 'viewer'],
    ] as const) {
      await api()
        .post(`/api/gallery/galleries/${privateImage.gallery}/members`)
        .set(owner.auth)
        .send({ username: user.username, role })
        .expect(201);
    }
    expect((await addTags(privateImage.id, ['a'], owner)).status).toBe(200);
    expect((await addTags(privateImage.id, ['b'], editor)).status).toBe(200);
    expect((await addTags(privateImage.id, ['c'], cast.admin)).status).toBe(200);
    expect((await addTags(privateImage.id, ['d'], viewer)).status).toBe(403);
    expect((await addTags(privateImage.id, ['e'], cast.otherPlayer)).status).toBe(404);
    expect((await addTags(sharedImage.id, ['f'], cast.otherPlayer)).status).toBe(403);
    expect((await addTags(sharedImage.id, ['g'], cast.subscriber)).status).toBe(403);
    expect((await api().delete(`${IMAGES}/${privateImage.id}/tags/a`).set(viewer.auth)).status).toBe(403);
    expect((await setTags(privateImage.id, [], cast.otherPlayer)).status).toBe(404);
    expect(
      (
        await api()
          .post(`${IMAGES}/${privateImage.id}/tags`)
          .send({ tags: ['x'] })
      ).status,
    ).toBe(401);
    expect(await storedTags(privateImage.id)).toEqual(['a', 'b', 'c']);
  });

  it('a trashed image is not found', async () => {
    const image = await newImage();
    await api().delete(`${IMAGES}/${image.id}`).set(cast.owner.auth).expect(200);
    expect((await addTags(image.id, ['late'])).status).toBe(404);
    expect((await addTags(999_999, ['late'])).status).toBe(404);
  });
});

describe('bulk tag and untag', () => {
  it('each image as a single request: own images tagged, another user’s refused', async () => {
    const [a, b] = [await newImage(), await newImage()];
    const notMine = await newImage(cast.otherPlayer);
    const res = await api()
      .post(`${IMAGES}/bulk`)
      .set(cast.owner.auth)
      .send({ action: 'tag', ids: [a.id, b.id, notMine.id], tags: ['Trip', 'beach'] });
    expect(res.status).toBe(207);
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([200, 200, 403]);
    expect(res.body.results[0].image.tags).toEqual(['beach', 'trip']);
    expect(await storedTags(b.id)).toEqual(['beach', 'trip']);
    expect(await storedTags(notMine.id)).toEqual([]);

    const untag = await api()
      .post(`${IMAGES}/bulk`)
      .set(cast.owner.auth)
      .send({ action: 'untag', ids: [a.id, b.id], tags: ['TRIP'] })
      .expect(200);
    expect(untag.body.results.map((r: { image: { tags: string[] } }) => r.image.tags)).toEqual([['beach'], ['beach']]);
    expect(await searchText(a.id)).toBe(`${a.title}\n\nbeach`);
  });

  it('refuses bad tags for the whole request', async () => {
    const a = await newImage();
    const res = await api()
      .post(`${IMAGES}/bulk`)
      .set(cast.owner.auth)
      .send({ action: 'tag', ids: [a.id], tags: ['x'.repeat(65)] });
    expect(res.status).toBe(400);
    expect(
      (
        await api()
          .post(`${IMAGES}/bulk`)
          .set(cast.owner.auth)
          .send({ action: 'tag', ids: [a.id] })
      ).status,
    ).toBe(400);
  });
});

describe('at the same time', () => {
  it('100 parallel adds of one new tag to 100 images all succeed, with one Tag row', async () => {
    const galleryId = await gallery(cast.owner);
    const images = [];
    for (let n = 0; n < 100; n++) images.push(await createImage(t, cast.owner, galleryId));
    const name = `fresh ${Date.now()}`;
    const replies = await Promise.all(images.map((image) => addTags(image.id, [name.toUpperCase()])));
    expect(replies.map((res) => res.status)).toEqual(images.map(() => 200));
    const tags = await t.db.tag.findMany({ where: { name } });
    expect(tags).toHaveLength(1);
    expect(await t.db.imageTag.count({ where: { tagId: tags[0].id } })).toBe(100);
  });

  it('parallel adds to one image never take it past 50', async () => {
    const image = await newImage();
    await setTags(
      image.id,
      Array.from({ length: 45 }, (_, n) => `base ${n}`),
    ).expect(200);
    const replies = await Promise.all(Array.from({ length: 20 }, (_, n) => addTags(image.id, [`extra ${n}`])));
    expect(replies.filter((res) => res.status === 200)).toHaveLength(5);
    expect(replies.filter((res) => res.status === 400)).toHaveLength(15);
    expect(await storedTags(image.id)).toHaveLength(50);
  });
});

describe('suggestions: GET /api/gallery/tags/', () => {
  let p: string;
  beforeAll(async () => {
    p = `s${Date.now() % 100000}`;
    const shared = await gallery(cast.owner);
    const [a, b] = [await createImage(t, cast.owner, shared), await createImage(t, cast.owner, shared)];
    const hidden = await newImage(cast.owner, 'private');
    const trashed = await createImage(t, cast.owner, shared);
    await addTags(a.id, [`${p}alpha`, `${p}beta`]).expect(200);
    await addTags(b.id, [`${p}alpha`, `${p}zulu`]).expect(200);
    await addTags(hidden.id, [`${p}alpha`, `${p}secret`]).expect(200);
    await addTags(trashed.id, [`${p}alpha`, `${p}gone`]).expect(200);
    await api().delete(`${IMAGES}/${trashed.id}`).set(cast.owner.auth).expect(200);
  });
  const suggest = async (user: TestUser, query: string) =>
    (await api().get(`/api/gallery/tags/?${query}`).set(user.auth).expect(200)).body as {
      name: string;
      count: number;
    }[];

  it('counts only live images the caller may see, most used first, then by name', async () => {
    const names = (rows: { name: string; count: number }[]) => rows.map((row) => [row.name, row.count]);
    expect(names(await suggest(cast.otherPlayer, `q=${p}`))).toEqual([
      [`${p}alpha`, 2],
      [`${p}beta`, 1],
      [`${p}zulu`, 1],
    ]);
    expect(names(await suggest(cast.subscriber, `q=${p}`))).toEqual(names(await suggest(cast.otherPlayer, `q=${p}`)));
    expect(names(await suggest(cast.owner, `q=${p}`))).toEqual([
      [`${p}alpha`, 3],
      [`${p}beta`, 1],
      [`${p}secret`, 1],
      [`${p}zulu`, 1],
    ]);
    expect(names(await suggest(cast.admin, `q=${p}`))).toEqual(names(await suggest(cast.owner, `q=${p}`)));
  });

  it('normalises q, honours limit, and treats % and _ as themselves', async () => {
    const rows = await suggest(cast.owner, `q=${encodeURIComponent(`  ${p.toUpperCase()}AL `)}`);
    expect(rows.map((row) => row.name)).toEqual([`${p}alpha`]);
    expect((await suggest(cast.owner, `q=${p}&limit=1`)).map((row) => row.name)).toEqual([`${p}alpha`]);
    expect(await suggest(cast.owner, `q=${p.slice(0, 1)}%25`)).toEqual([]);
    expect(await suggest(cast.owner, `q=${p}_lpha`)).toEqual([]);
    expect((await api().get('/api/gallery/tags/?limit=51').set(cast.owner.auth)).status).toBe(400);
    expect((await api().get('/api/gallery/tags/')).status).toBe(401);
  });
});

describe('rename and merge: admins only', () => {
  const tagId = async (name: string) => (await t.db.tag.findUniqueOrThrow({ where: { name } })).id;

  it('a rename reaches every image and its search text; others get 403', async () => {
    const image = await newImage();
    const name = `old ${Date.now()}`;
    await addTags(image.id, [name, 'keep']).expect(200);
    const id = await tagId(name);
    const refused = await api().patch(`/api/gallery/tags/${id}`).set(cast.owner.auth).send({ name: 'x' });
    expect(refused.status).toBe(403);
    const res = await api()
      .patch(`/api/gallery/tags/${id}`)
      .set(cast.admin.auth)
      .send({ name: `  Renamed ${id} ` })
      .expect(200);
    expect(res.body).toMatchObject({ id, name: `renamed ${id}`, merged: false });
    expect(await storedTags(image.id)).toEqual(['keep', `renamed ${id}`]);
    expect(await searchText(image.id)).toBe(`${image.title}\n\nkeep renamed ${id}`);
    const event = await t.db.auditEvent.findFirst({ where: { action: 'tag.rename', targetId: id } });
    expect(JSON.parse(event?.detail ?? '{}')).toMatchObject({ from: name, to: `renamed ${id}`, images: 1 });
    expect(
      (
        await api()
          .patch(`/api/gallery/tags/${id}`)
          .set(cast.admin.auth)
          .send({ name: 'x'.repeat(65) })
      ).status,
    ).toBe(400);
    expect((await api().patch('/api/gallery/tags/999999').set(cast.admin.auth).send({ name: 'y' })).status).toBe(404);
  });

  it('a rename onto an existing name merges; so does POST merge; images keep one of each tag', async () => {
    const [a, b] = [await newImage(), await newImage()];
    const s = Date.now();
    await addTags(a.id, [`dog ${s}`, `hound ${s}`]).expect(200);
    await addTags(b.id, [`hound ${s}`, `puppy ${s}`]).expect(200);
    const [dog, hound, puppy] = [await tagId(`dog ${s}`), await tagId(`hound ${s}`), await tagId(`puppy ${s}`)];

    const renamed = await api()
      .patch(`/api/gallery/tags/${hound}`)
      .set(cast.admin.auth)
      .send({ name: `DOG ${s}` })
      .expect(200);
    expect(renamed.body).toMatchObject({ id: dog, name: `dog ${s}`, merged: true });
    expect(await t.db.tag.count({ where: { id: hound } })).toBe(0);
    expect(await storedTags(a.id)).toEqual([`dog ${s}`]);
    expect(await storedTags(b.id)).toEqual([`dog ${s}`, `puppy ${s}`]);
    expect(await searchText(b.id)).toBe(`${b.title}\n\ndog ${s} puppy ${s}`);

    const refused = await api().post(`/api/gallery/tags/${puppy}/merge`).set(cast.otherPlayer.auth).send({ into: dog });
    expect(refused.status).toBe(403);
    expect(
      (await api().post(`/api/gallery/tags/${puppy}/merge`).set(cast.subscriber.auth).send({ into: dog })).status,
    ).toBe(403);
    const merged = await api()
      .post(`/api/gallery/tags/${puppy}/merge`)
      .set(cast.admin.auth)
      .send({ into: dog })
      .expect(200);
    expect(merged.body).toMatchObject({ id: dog, merged: true });
    expect(await storedTags(b.id)).toEqual([`dog ${s}`]);
    expect(await searchText(b.id)).toBe(`${b.title}\n\ndog ${s}`);
    expect(await t.db.auditEvent.count({ where: { action: 'tag.merge', targetId: { in: [hound, puppy] } } })).toBe(2);

    const self = await api().post(`/api/gallery/tags/${dog}/merge`).set(cast.admin.auth).send({ into: dog });
    expect(self.status).toBe(400);
    expect(
      (await api().post(`/api/gallery/tags/${dog}/merge`).set(cast.admin.auth).send({ into: 999999 })).status,
    ).toBe(400);
    expect((await api().post(`/api/gallery/tags/${puppy}/merge`).set(cast.admin.auth).send({ into: dog })).status).toBe(
      404,
    );
  });
});
