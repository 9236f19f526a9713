import request from 'supertest';

import { visibleGalleries } from '../../src/features/galleries';
import { createCast, createImage, createUser, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { testDbKind } from '../helpers/test-env';

/**
 * Groups as members of a gallery: added, changed and removed as a user is, read by every query at
 * once (no cache of memberships), audited. The matrix of who sees what is visibility-matrix.test.ts.
 */
let t: TestApp;
let admin: TestUser;
let owner: TestUser;
let otherPlayer: TestUser;
let subscriber: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  ({ admin, owner, otherPlayer, subscriber } = await createCast(t));
});
afterAll(async () => {
  await t.close();
});

let sequence = 0;
async function makeGroup(users: TestUser[]) {
  const group = await request(t.app)
    .post('/api/admin/groups/')
    .set(admin.auth)
    .send({ name: `Team ${++sequence}` })
    .expect(201);
  for (const user of users)
    await request(t.app)
      .post(`/api/admin/groups/${group.body.id}/members/`)
      .set(admin.auth)
      .send({ username: user.username })
      .expect(201);
  return group.body as { id: number; name: string };
}
async function privateGallery() {
  const gallery = await request(t.app)
    .post('/api/gallery/galleries/')
    .set(owner.auth)
    .send({ name: `private ${++sequence}`, visibility: 'private' })
    .expect(201);
  const image = await createImage(t, owner, gallery.body.id, `secret ${sequence}`);
  return { gallery: gallery.body.id as number, image: image.id };
}
const members = (galleryId: number) => `/api/gallery/galleries/${galleryId}/members`;
const addGroup = (by: TestUser, galleryId: number, group: string, role?: string) =>
  request(t.app)
    .post(`${members(galleryId)}/`)
    .set(by.auth)
    .send({ group, role });

describe('a group as a member of a gallery', () => {
  it('is added by name (any case), listed after the users, changed and removed by the owner; each change audited', async () => {
    const { gallery } = await privateGallery();
    const group = await makeGroup([subscriber]);
    await request(t.app)
      .post(`${members(gallery)}/`)
      .set(owner.auth)
      .send({ username: otherPlayer.username });
    const added = await addGroup(owner, gallery, group.name.toUpperCase(), 'editor').expect(201);
    expect(added.body).toEqual({
      message: 'Group added',
      group: { id: group.id, name: group.name },
      role: 'editor',
      addedAt: expect.any(String),
      includesYou: false,
      note: `1 user of ${group.name} has a view-only role: as editors they can see this gallery but not change it.`,
    });
    // A member through the group sees who the members are, and that the group includes them.
    const list = await request(t.app)
      .get(`${members(gallery)}/`)
      .set(subscriber.auth)
      .expect(200);
    expect(list.body).toEqual([
      { user: { id: otherPlayer.id, username: otherPlayer.username }, role: 'viewer', addedAt: expect.any(String) },
      { group: { id: group.id, name: group.name }, role: 'editor', addedAt: expect.any(String), includesYou: true },
    ]);
    const changed = await request(t.app)
      .patch(`${members(gallery)}/groups/${group.id}`)
      .set(owner.auth)
      .send({ role: 'viewer' })
      .expect(200);
    expect(changed.body).toMatchObject({ message: 'Group updated', role: 'viewer' });
    expect(changed.body).not.toHaveProperty('note');
    await request(t.app)
      .delete(`${members(gallery)}/groups/${group.id}`)
      .set(owner.auth)
      .expect(200);
    // Neither a change nor a removal of a group that is not a member is logged.
    await request(t.app)
      .patch(`${members(gallery)}/groups/${group.id}`)
      .set(owner.auth)
      .send({ role: 'viewer' })
      .expect(404);
    await request(t.app)
      .delete(`${members(gallery)}/groups/${group.id}`)
      .set(owner.auth)
      .expect(404);
    const events = await t.db.auditEvent.findMany({
      where: { targetType: 'gallery', targetId: gallery, action: { startsWith: 'gallery.group' } },
      orderBy: { id: 'asc' },
    });
    expect(events.map((e) => [e.action, e.detail, e.actorId])).toEqual([
      ['gallery.group.add', `group ${group.id} as editor`, owner.id],
      ['gallery.group.update', `group ${group.id} as viewer`, owner.id],
      ['gallery.group.remove', `group ${group.id}`, owner.id],
    ]);
  });

  it('refuses unknown groups, a group twice, a username and a group at once, and those who do not manage the gallery', async () => {
    const { gallery } = await privateGallery();
    const group = await makeGroup([]);
    expect((await addGroup(owner, gallery, 'No such team').expect(404)).body).toEqual({
      message: 'No group with that name',
      code: 'NOT_FOUND',
    });
    await addGroup(owner, gallery, group.name).expect(201);
    expect((await addGroup(owner, gallery, group.name).expect(409)).body.message).toBe(
      `${group.name} is already a member of this gallery.`,
    );
    for (const body of [{ username: otherPlayer.username, group: group.name }, { role: 'editor' }, { group: '' }])
      await request(t.app)
        .post(`${members(gallery)}/`)
        .set(owner.auth)
        .send(body)
        .expect(400);
    await addGroup(owner, gallery, group.name, 'owner').expect(400);
    // Another Beta Player cannot see the gallery: 404; a member through a group is not its manager: 403.
    const inGroup = await createUser(t, 'beta_player');
    const other = await makeGroup([inGroup]);
    await addGroup(otherPlayer, gallery, other.name).expect(404);
    await addGroup(admin, gallery, other.name, 'editor').expect(201);
    await addGroup(inGroup, gallery, other.name).expect(403);
    await request(t.app)
      .delete(`${members(gallery)}/groups/${other.id}`)
      .set(inGroup.auth)
      .expect(403);
    await request(t.app)
      .patch(`${members(gallery)}/groups/${other.id}`)
      .set(inGroup.auth)
      .send({ role: 'viewer' })
      .expect(403);
    expect(await t.db.galleryGroupMember.count({ where: { galleryId: gallery } })).toBe(2);
  });

  it('ends up once, as a user does, when 100 requests add each at once: one 201, the others 409, no 500', async () => {
    const { gallery } = await privateGallery();
    const group = await makeGroup([subscriber]);
    const addUser = () =>
      request(t.app)
        .post(`${members(gallery)}/`)
        .set(owner.auth)
        .send({ username: otherPlayer.username });
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? addGroup(owner, gallery, group.name) : addUser())),
    );
    expect(replies.filter((r) => r.status !== 201 && r.status !== 409).map((r) => [r.status, r.body])).toEqual([]);
    expect(
      replies
        .filter((r) => r.status === 201)
        .map((r) => ('group' in r.body ? 'group' : 'user'))
        .sort(),
    ).toEqual(['group', 'user']);
    expect(await t.db.galleryGroupMember.count({ where: { galleryId: gallery } })).toBe(1);
    expect(await t.db.galleryMember.count({ where: { galleryId: gallery } })).toBe(1);
    expect(await t.db.auditEvent.count({ where: { action: 'gallery.group.add', targetId: gallery } })).toBe(1);
  });
});

describe('access through a group', () => {
  it('ends on the very next request when the user is taken out of the group, or the group is deleted', async () => {
    const { gallery, image } = await privateGallery();
    const reader = await createUser(t, 'subscriber');
    const group = await makeGroup([reader]);
    await addGroup(owner, gallery, group.name).expect(201);
    const sees = async () => {
      const [one, file, search] = [
        await request(t.app).get(`/api/gallery/galleries/${gallery}`).set(reader.auth),
        await request(t.app).get(`/api/gallery/view-images/${image}`).set(reader.auth),
        await request(t.app).get(`/api/gallery/view-images/?q=secret&count=true`).set(reader.auth),
      ];
      return [one.status, file.status, search.body.map((i: { id: number }) => i.id), search.headers['x-total-count']];
    };
    expect(await sees()).toEqual([200, 200, [image], '1']);
    await request(t.app).delete(`/api/admin/groups/${group.id}/members/${reader.id}`).set(admin.auth).expect(200);
    expect(await sees()).toEqual([404, 404, [], '0']);
    await request(t.app)
      .post(`/api/admin/groups/${group.id}/members/`)
      .set(admin.auth)
      .send({ username: reader.username })
      .expect(201);
    expect(await sees()).toEqual([200, 200, [image], '1']);
    await request(t.app).delete(`/api/admin/groups/${group.id}`).set(admin.auth).expect(200);
    expect(await sees()).toEqual([404, 404, [], '0']);
    expect(await t.db.galleryGroupMember.count({ where: { galleryId: gallery } })).toBe(0);
    const deleted = await t.db.auditEvent.findFirstOrThrow({ where: { action: 'group.delete', targetId: group.id } });
    expect(deleted.detail).toBe(`name=${group.name} galleries=1`);
  });

  it("lets an editor through a group restore the gallery's images from the trash, and no longer once out of it", async () => {
    const { gallery, image } = await privateGallery();
    const editor = await createUser(t, 'beta_player');
    const group = await makeGroup([editor]);
    await addGroup(owner, gallery, group.name, 'editor').expect(201);
    await request(t.app).delete(`/api/gallery/images/${image}`).set(owner.auth).expect(200);
    const trash = async () =>
      (await request(t.app).get('/api/gallery/trash/').set(editor.auth).expect(200)).body.map(
        (item: { id: number }) => item.id,
      );
    expect(await trash()).toEqual([image]);
    await request(t.app).delete(`/api/admin/groups/${group.id}/members/${editor.id}`).set(admin.auth).expect(200);
    expect(await trash()).toEqual([]);
    await request(t.app)
      .post(`/api/admin/groups/${group.id}/members/`)
      .set(admin.auth)
      .send({ username: editor.username })
      .expect(201);
    await request(t.app)
      .post('/api/gallery/trash/restore')
      .set(editor.auth)
      .send({ images: [image] })
      .expect(200);
    expect(await t.db.image.findUniqueOrThrow({ where: { id: image } })).toMatchObject({ trashed: false });
  });
});

describe('the access condition', () => {
  it('reads group memberships through indexes only, on both databases', async () => {
    const visible = visibleGalleries({ userId: subscriber.id, admin: false }, 'g')!;
    const sql = `SELECT g.id FROM "Gallery" g WHERE ${visible.sql.replaceAll('?', String(subscriber.id))}`;
    const plan =
      testDbKind() === 'sqlite'
        ? await t.db.$queryRawUnsafe<unknown[]>(`EXPLAIN QUERY PLAN ${sql}`)
        : await t.db.$transaction(async (tx) => {
            // The tables are tiny here: forbid the scans the planner would rightly prefer.
            await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
            return tx.$queryRawUnsafe<unknown[]>(`EXPLAIN ${sql}`);
          });
    const text = JSON.stringify(plan, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value));
    expect(text).not.toMatch(/SCAN (um|ggm)\b(?! USING)|Seq Scan on "(GroupMember|GalleryGroupMember)"/);
    // A user's groups by the (userId, groupId) index; on PostgreSQL once per query (a hashed subplan).
    expect(text).toContain('GroupMember_userId_groupId_idx');
  });
});
