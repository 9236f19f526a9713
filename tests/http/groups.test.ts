import request from 'supertest';

import { createCast, createUser, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/** Groups of users, made and filled by admins: the API, its refusals, its audit events, under concurrency. */
let t: TestApp;
let admin: TestUser;
let player: TestUser;
let subscriber: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  ({ admin, owner: player, subscriber } = await createCast(t));
});
afterAll(async () => {
  await t.close();
});

const GROUPS = '/api/admin/groups';
const create = (body: Record<string, unknown>, as: TestUser = admin) =>
  request(t.app).post(`${GROUPS}/`).set(as.auth).send(body);
const addUser = (groupId: number, username: string) =>
  request(t.app).post(`${GROUPS}/${groupId}/members/`).set(admin.auth).send({ username });

describe('groups', () => {
  it('are created with a trimmed name, listed with member counts page by page, renamed, described and deleted', async () => {
    const made = await create({ name: '  Design team  ', description: 'People who draw' }).expect(201);
    expect(made.body).toEqual({
      message: 'Group created',
      id: expect.any(Number),
      name: 'Design team',
      description: 'People who draw',
      memberCount: 0,
      createdAt: expect.any(String),
    });
    const other = await create({ name: 'Sales' }).expect(201);
    await addUser(made.body.id, player.username).expect(201);
    await addUser(made.body.id, subscriber.username.toUpperCase()).expect(201);

    const first = await request(t.app).get(`${GROUPS}/?limit=1`).set(admin.auth).expect(200);
    expect(first.body.map((g: { name: string }) => g.name)).toEqual(['Design team']);
    expect(first.body[0].memberCount).toBe(2);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.link)![1];
    const second = await request(t.app).get(next).set(admin.auth).expect(200);
    expect(second.body.map((g: { id: number; memberCount: number }) => [g.id, g.memberCount])).toEqual([
      [other.body.id, 0],
    ]);

    const renamed = await request(t.app)
      .patch(`${GROUPS}/${made.body.id}`)
      .set(admin.auth)
      .send({ name: 'Designers', description: '' })
      .expect(200);
    expect(renamed.body).toMatchObject({
      message: 'Group updated',
      name: 'Designers',
      description: '',
      memberCount: 2,
    });
    expect((await request(t.app).get(`${GROUPS}/${made.body.id}`).set(admin.auth).expect(200)).body.name).toBe(
      'Designers',
    );

    await request(t.app).delete(`${GROUPS}/${other.body.id}`).set(admin.auth).expect(200);
    await request(t.app).get(`${GROUPS}/${other.body.id}`).set(admin.auth).expect(404);
    await request(t.app).delete(`${GROUPS}/${other.body.id}`).set(admin.auth).expect(404);
  });

  it('refuses a name taken in any case, an empty, long or multi-line one, unknown fields and unknown groups', async () => {
    const group = await create({ name: 'Marketing' }).expect(201);
    const other = await create({ name: 'Finance' }).expect(201);
    expect((await create({ name: 'MARKETING ' }).expect(409)).body).toEqual({
      message: 'A group named MARKETING already exists (names are compared ignoring case).',
      code: 'CONFLICT',
    });
    await request(t.app).patch(`${GROUPS}/${other.body.id}`).set(admin.auth).send({ name: 'marketing' }).expect(409);
    // Its own name in another case is a rename, not a conflict.
    await request(t.app).patch(`${GROUPS}/${group.body.id}`).set(admin.auth).send({ name: 'marketing' }).expect(200);
    for (const body of [{ name: '   ' }, { name: 'x'.repeat(101) }, { name: 'two\nlines' }, { name: 'a', id: 3 }, {}])
      expect((await create(body).expect(400)).body.code).toBe('VALIDATION_FAILED');
    await request(t.app).patch(`${GROUPS}/${group.body.id}`).set(admin.auth).send({}).expect(400);
    await request(t.app).patch(`${GROUPS}/999999`).set(admin.auth).send({ name: 'Nobody' }).expect(404);
    await request(t.app).get(`${GROUPS}/999999/members`).set(admin.auth).expect(404);
    expect(await t.db.group.count({ where: { nameLower: { in: ['marketing', 'finance'] } } })).toBe(2);
    expect(await t.db.group.findUnique({ where: { id: other.body.id } })).toMatchObject({ name: 'Finance' });
  });

  it('are for admins only', async () => {
    await create({ name: 'Not mine' }, player).expect(403);
    await request(t.app).get(`${GROUPS}/`).set(subscriber.auth).expect(403);
    expect(await t.db.group.count({ where: { nameLower: 'not mine' } })).toBe(0);
  });
});

describe("a group's users", () => {
  it('are added by username (any case), listed page by page and taken out; refusals are clear', async () => {
    const group = (await create({ name: 'Field staff' }).expect(201)).body;
    const extra = await createUser(t, 'subscriber');
    const added = await addUser(group.id, player.username.toUpperCase()).expect(201);
    expect(added.body).toEqual({
      message: 'User added to the group',
      user: { id: player.id, username: player.username },
      addedAt: expect.any(String),
    });
    await addUser(group.id, extra.username).expect(201);
    expect((await addUser(group.id, player.username).expect(409)).body).toEqual({
      message: `${player.username} is already in Field staff.`,
      code: 'CONFLICT',
    });
    expect((await addUser(group.id, 'nobody-by-this-name').expect(404)).body.message).toBe(
      'No active user with that username',
    );
    await addUser(999999, player.username).expect(404);
    const page = await request(t.app).get(`${GROUPS}/${group.id}/members/?limit=1`).set(admin.auth).expect(200);
    expect(page.body.map((m: { user: { id: number } }) => m.user.id)).toEqual([Math.min(player.id, extra.id)]);
    expect(page.headers.link).toContain('rel="next"');

    await request(t.app).delete(`${GROUPS}/${group.id}/members/${player.id}`).set(admin.auth).expect(200);
    await request(t.app).delete(`${GROUPS}/${group.id}/members/${player.id}`).set(admin.auth).expect(404);
    const left = await request(t.app).get(`${GROUPS}/${group.id}/members/`).set(admin.auth).expect(200);
    expect(left.body.map((m: { user: { id: number } }) => m.user.id)).toEqual([extra.id]);
  });

  it('end up in one membership when 100 requests add the same user at once: one 201, the others 409', async () => {
    const group = (await create({ name: 'Crowd' }).expect(201)).body;
    const replies = await Promise.all(Array.from({ length: 100 }, () => addUser(group.id, subscriber.username)));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(99);
    expect(await t.db.groupMember.count({ where: { groupId: group.id } })).toBe(1);
    expect(await t.db.auditEvent.count({ where: { action: 'group.member.add', targetId: group.id } })).toBe(1);
  });

  it('end up in one group when 100 requests create the same name at once, in different cases', async () => {
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => create({ name: i % 2 ? 'Rush' : 'RUSH' })));
    expect(replies.map((r) => r.status).filter((s) => s === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status !== 201 && r.status !== 409).map((r) => [r.status, r.body])).toEqual([]);
    expect(await t.db.group.count({ where: { nameLower: 'rush' } })).toBe(1);
  });
});

describe('the audit log', () => {
  it('records the creation, rename, description, users added and taken out, and the delete of a group', async () => {
    const group = (await create({ name: 'Audited' }).expect(201)).body;
    await request(t.app).patch(`${GROUPS}/${group.id}`).set(admin.auth).send({ name: 'Audited too' }).expect(200);
    await request(t.app).patch(`${GROUPS}/${group.id}`).set(admin.auth).send({ description: 'Now with one' });
    // No change, no event.
    await request(t.app).patch(`${GROUPS}/${group.id}`).set(admin.auth).send({ name: 'Audited too' }).expect(200);
    await addUser(group.id, player.username).expect(201);
    await request(t.app).delete(`${GROUPS}/${group.id}/members/${player.id}`).set(admin.auth).expect(200);
    await request(t.app).delete(`${GROUPS}/${group.id}`).set(admin.auth).expect(200);
    const events = await t.db.auditEvent.findMany({
      where: { targetType: 'group', targetId: group.id },
      orderBy: { id: 'asc' },
    });
    expect(events.map((e) => [e.action, e.detail, e.actorId])).toEqual([
      ['group.create', 'name=Audited', admin.id],
      ['group.update', 'name Audited -> Audited too', admin.id],
      ['group.update', 'description', admin.id],
      ['group.member.add', `user ${player.id}`, admin.id],
      ['group.member.remove', `user ${player.id}`, admin.id],
      ['group.delete', 'name=Audited too galleries=0', admin.id],
    ]);
  });
});
