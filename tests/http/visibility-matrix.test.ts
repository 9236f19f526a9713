import request from 'supertest';

import type { RouteSpec } from '../../src/http/route';
import { ROLE_PERMISSIONS, type RoleName } from '../../src/shared/permissions';
import { createCast, createImage, createUser, pngBytes, upload, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Every gallery and image route of the table, for a private and a shared gallery, called by each
 * role and by members of each membership role. Whoever may not see a private gallery gets, on
 * every route and method, exactly the reply a missing id gets: nothing tells them it exists.
 * Whoever may see it reads it on every GET route. (Which role may call which route at all is
 * route-matrix.test.ts; owner against non-owner writes, permissions.test.ts.)
 */
let t: TestApp;
let owner: TestUser;
type Caller = { name: string; user: TestUser; role: RoleName; seesPrivate: boolean };
let callers: Caller[];
const ids = { private: { gallery: 0, image: 0, sha256: '' }, shared: { gallery: 0, image: 0, sha256: '' } };
let memberId: number;
let groupId: number;
const MISSING = 999999;

/** A group made by the admin with these users in it, added to the private gallery as `role`. */
async function groupMember(admin: TestUser, users: TestUser[], role: 'viewer' | 'editor') {
  const group = await request(t.app)
    .post('/api/admin/groups/')
    .set(admin.auth)
    .send({ name: `${role}s ${users.map((u) => u.id).join('-')}` })
    .expect(201);
  for (const user of users)
    await request(t.app)
      .post(`/api/admin/groups/${group.body.id}/members/`)
      .set(admin.auth)
      .send({ username: user.username })
      .expect(201);
  await request(t.app)
    .post(`/api/gallery/galleries/${ids.private.gallery}/members/`)
    .set(owner.auth)
    .send({ group: group.body.name, role })
    .expect(201);
  return group.body.id as number;
}

beforeAll(async () => {
  t = await startTestApp();
  const cast = await createCast(t);
  owner = cast.owner;
  const [viewer, editor, viewerPlayer] = await Promise.all([
    createUser(t, 'subscriber'),
    createUser(t, 'beta_player'),
    createUser(t, 'beta_player'),
  ]);
  for (const kind of ['private', 'shared'] as const) {
    const gallery = await request(t.app)
      .post('/api/gallery/galleries/')
      .set(owner.auth)
      .send({ name: `${kind} one`, visibility: kind })
      .expect(201);
    const image = await createImage(t, owner, gallery.body.id);
    ids[kind] = {
      gallery: gallery.body.id,
      image: image.id,
      sha256: (await t.db.image.findUniqueOrThrow({ where: { id: image.id } })).sha256,
    };
  }
  for (const [user, role] of [
    [viewer, 'viewer'],
    [editor, 'editor'],
    [viewerPlayer, 'viewer'],
  ] as const) {
    await request(t.app)
      .post(`/api/gallery/galleries/${ids.private.gallery}/members`)
      .set(owner.auth)
      .send({ username: user.username, role })
      .expect(201);
  }
  memberId = viewer.id;
  const [groupViewer, groupViewerPlayer, groupEditor, groupEditorSubscriber, leftGroup, inRemovedGroup] =
    await Promise.all([
      createUser(t, 'subscriber'),
      createUser(t, 'beta_player'),
      createUser(t, 'beta_player'),
      createUser(t, 'subscriber'),
      createUser(t, 'beta_player'),
      createUser(t, 'beta_player'),
    ]);
  await groupMember(cast.admin, [groupViewer, groupViewerPlayer], 'viewer');
  groupId = await groupMember(cast.admin, [groupEditor, groupEditorSubscriber, leftGroup], 'editor');
  await request(t.app).delete(`/api/admin/groups/${groupId}/members/${leftGroup.id}`).set(cast.admin.auth).expect(200);
  const removedGroup = await groupMember(cast.admin, [inRemovedGroup], 'editor');
  await request(t.app)
    .delete(`/api/gallery/galleries/${ids.private.gallery}/members/groups/${removedGroup}`)
    .set(owner.auth)
    .expect(200);
  callers = [
    { name: 'admin', user: cast.admin, role: 'admin', seesPrivate: true },
    { name: 'owner (Beta Player)', user: owner, role: 'beta_player', seesPrivate: true },
    { name: 'another Beta Player', user: cast.otherPlayer, role: 'beta_player', seesPrivate: false },
    { name: 'Company User', user: cast.companyUser, role: 'company_user', seesPrivate: false },
    { name: 'Subscriber', user: cast.subscriber, role: 'subscriber', seesPrivate: false },
    { name: 'Subscriber, viewer member', user: viewer, role: 'subscriber', seesPrivate: true },
    { name: 'Beta Player, editor member', user: editor, role: 'beta_player', seesPrivate: true },
    { name: 'Beta Player, viewer member', user: viewerPlayer, role: 'beta_player', seesPrivate: true },
    { name: 'Subscriber, viewer through a group', user: groupViewer, role: 'subscriber', seesPrivate: true },
    { name: 'Beta Player, viewer through a group', user: groupViewerPlayer, role: 'beta_player', seesPrivate: true },
    { name: 'Beta Player, editor through a group', user: groupEditor, role: 'beta_player', seesPrivate: true },
    {
      name: 'Subscriber, editor through a group',
      user: groupEditorSubscriber,
      role: 'subscriber',
      seesPrivate: true,
    },
    { name: 'Beta Player, taken out of the group', user: leftGroup, role: 'beta_player', seesPrivate: false },
    { name: 'Beta Player, in a group taken off', user: inRemovedGroup, role: 'beta_player', seesPrivate: false },
  ];
});
afterAll(async () => {
  await t.close();
});

/** The routes about one gallery or one image: those with an :id under /api/gallery/. */
const targeted = (): RouteSpec[] =>
  t.app.locals.routes.filter((r) => r.path.startsWith('/api/gallery/') && r.path.includes(':id'));
const isGalleryRoute = (route: RouteSpec) => route.path.startsWith('/api/gallery/galleries/:id');

function pathFor(route: RouteSpec, target: { gallery: number; image: number; sha256: string } | 'missing') {
  const id = target === 'missing' ? MISSING : isGalleryRoute(route) ? target.gallery : target.image;
  return route.path
    .replace(':id', String(id))
    .replace(':sha256', target === 'missing' ? ids.private.sha256 : target.sha256)
    .replace(':userId', String(memberId))
    .replace(':groupId', String(groupId))
    .replace(':linkId', '1');
}

const admin = () => callers.find((c) => c.role === 'admin')!;
const call = (route: RouteSpec, path: string, caller: Caller) =>
  request(t.app)[route.method](path).set(caller.user.auth);
const mayCall = (route: RouteSpec, caller: Caller) =>
  route.access === 'authenticated' || (ROLE_PERMISSIONS[caller.role] as readonly string[]).includes(route.access);

describe('a private gallery, on every gallery and image route', () => {
  it('answers those who may not see it exactly as it answers a missing id, on every method, and changes nothing', async () => {
    const wrong: string[] = [];
    for (const caller of callers.filter((c) => !c.seesPrivate)) {
      for (const route of targeted()) {
        const [hidden, missing] = [
          await call(route, pathFor(route, ids.private), caller),
          await call(route, pathFor(route, 'missing'), caller),
        ];
        if (hidden.status !== missing.status || JSON.stringify(hidden.body) !== JSON.stringify(missing.body)) {
          wrong.push(
            `${caller.name}: ${route.method} ${route.path} → ${hidden.status} ${JSON.stringify(hidden.body)}, a missing id → ${missing.status}`,
          );
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(await t.db.gallery.findUniqueOrThrow({ where: { id: ids.private.gallery } })).toMatchObject({
      name: 'private one',
      visibility: 'private',
      deleting: false,
    });
    expect(await t.db.image.count({ where: { galleryId: ids.private.gallery, deleting: false } })).toBe(1);
    expect(await t.db.galleryMember.count({ where: { galleryId: ids.private.gallery } })).toBe(3);
    expect(
      await t.db.galleryGroupMember.findMany({
        where: { galleryId: ids.private.gallery },
        orderBy: { groupId: 'asc' },
      }),
    ).toEqual([expect.objectContaining({ role: 'viewer' }), expect.objectContaining({ groupId, role: 'editor' })]);
  });

  it('lets the owner, admins and members read it on every GET route their role may call', async () => {
    const wrong: string[] = [];
    for (const caller of callers.filter((c) => c.seesPrivate)) {
      // Members and links are for their managers (and members' own list): see sharing-members and share-links tests.
      for (const route of targeted().filter(
        (r) => r.method === 'get' && mayCall(r, caller) && !r.path.includes('/links'),
      )) {
        const res = await call(route, pathFor(route, ids.private), caller);
        if (res.status !== 200)
          wrong.push(`${caller.name}: ${route.method} ${route.path} → ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers a move into it, by those who may not see it, exactly as a move into a missing gallery', async () => {
    const wrong: string[] = [];
    for (const caller of callers.filter((c) => !c.seesPrivate)) {
      const own = await request(t.app)
        .post('/api/gallery/galleries/')
        .set(admin().user.auth)
        .send({ name: `of ${caller.name}` })
        .expect(201);
      await request(t.app)
        .put(`/api/gallery/galleries/${own.body.id}/owner`)
        .set(admin().user.auth)
        .send({ username: caller.user.username });
      const image = await createImage(t, admin().user, own.body.id);
      const move = (gallery: number) =>
        request(t.app).patch(`/api/gallery/images/${image.id}/`).set(caller.user.auth).send({ gallery });
      const [hidden, missing] = [await move(ids.private.gallery), await move(MISSING)];
      if (hidden.status !== missing.status || JSON.stringify(hidden.body) !== JSON.stringify(missing.body)) {
        wrong.push(
          `${caller.name}: a move into it → ${hidden.status} ${JSON.stringify(hidden.body)}, into a missing id → ${missing.status} ${JSON.stringify(missing.body)}`,
        );
      }
      if ((await t.db.image.findUniqueOrThrow({ where: { id: image.id } })).galleryId !== own.body.id)
        wrong.push(`${caller.name}: the image moved`);
    }
    expect(wrong).toEqual([]);
  });

  it('shows it in the lists of those who may see it only, with its image', async () => {
    for (const caller of callers.filter((c) => c.role !== 'admin')) {
      const galleries = await request(t.app)
        .get(`/api/gallery/galleries/?owner=${owner.id}&limit=100`)
        .set(caller.user.auth)
        .expect(200);
      const images = await request(t.app)
        .get(`/api/gallery/view-images/?uploader=${owner.id}&limit=100`)
        .set(caller.user.auth)
        .expect(200);
      const expectedGalleries = caller.seesPrivate ? [ids.shared.gallery, ids.private.gallery] : [ids.shared.gallery];
      const expectedImages = caller.seesPrivate ? [ids.shared.image, ids.private.image] : [ids.shared.image];
      expect({
        caller: caller.name,
        galleries: galleries.body.map((g: { id: number }) => g.id).sort(),
        images: images.body.map((i: { id: number }) => i.id).sort(),
      }).toEqual({
        caller: caller.name,
        galleries: expectedGalleries.sort(),
        images: expectedImages.sort(),
      });
    }
  });
});

describe('members through a group', () => {
  it("write to it as their group's role and their own role allow, and not once out of the group", async () => {
    // An upload into a gallery one may not see is answered as one into a missing gallery.
    const hidden = (await upload(t, owner, { gallery: MISSING }, { bytes: await pngBytes() })).status;
    expect(hidden).toBe(400);
    const expected: Record<string, number> = {
      'Beta Player, editor through a group': 201,
      'Beta Player, viewer through a group': 403,
      'Subscriber, viewer through a group': 403,
      'Subscriber, editor through a group': 403,
      'Beta Player, taken out of the group': hidden,
      'Beta Player, in a group taken off': hidden,
    };
    const got: Record<string, number> = {};
    for (const caller of callers.filter((c) => c.name in expected))
      got[caller.name] = (
        await upload(t, caller.user, { gallery: ids.private.gallery }, { bytes: await pngBytes() })
      ).status;
    expect(got).toEqual(expected);
    expect(await t.db.image.count({ where: { galleryId: ids.private.gallery, deleting: false } })).toBe(2);
  });
});

describe('a shared gallery', () => {
  it('is read by every role on every GET route the role may call', async () => {
    const wrong: string[] = [];
    for (const caller of callers) {
      for (const route of targeted().filter(
        (r) => r.method === 'get' && mayCall(r, caller) && !r.path.includes('/members') && !r.path.includes('/links'),
      )) {
        const res = await call(route, pathFor(route, ids.shared), caller);
        if (res.status !== 200) wrong.push(`${caller.name}: ${route.method} ${route.path} → ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe("a share link's routes, in every state of the link", () => {
  it('answers an expired, revoked or used-up key exactly as a key that never existed, and an active one with 200', async () => {
    const make = async (body: Record<string, unknown>) =>
      (
        await request(t.app)
          .post(`/api/gallery/galleries/${ids.private.gallery}/links`)
          .set(owner.auth)
          .send(body)
          .expect(201)
      ).body as { id: number; key: string };
    const [active, expired, revoked, usedUp] = [
      await make({}),
      await make({}),
      await make({}),
      await make({ maxViews: 1 }),
    ];
    await t.db.shareLink.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await request(t.app)
      .delete(`/api/gallery/galleries/${ids.private.gallery}/links/${revoked.id}`)
      .set(owner.auth)
      .expect(200);
    await request(t.app).get(`/api/share/${usedUp.key}`).expect(200);
    const never = `share_${'A'.repeat(32)}`;
    const shareRoutes = t.app.locals.routes.filter((r) => r.path.startsWith('/api/share/'));
    expect(shareRoutes.length).toBeGreaterThan(0);
    const pathOf = (route: RouteSpec, key: string) =>
      route.path.replace(':key', key).replace(':imageId', String(ids.private.image));
    const wrong: string[] = [];
    for (const route of shareRoutes) {
      const missing = await request(t.app)[route.method](pathOf(route, never));
      const states: [string, string][] = [
        ['expired', expired.key],
        ['revoked', revoked.key],
        // Files (one by one or as a zip) are served on a used-up link: its last page still needs them.
        ...(route.path.endsWith('/file') || route.path.endsWith('/download')
          ? []
          : [['used up', usedUp.key] as [string, string]]),
      ];
      for (const [state, key] of states) {
        const res = await request(t.app)[route.method](pathOf(route, key));
        if (res.status !== missing.status || JSON.stringify(res.body) !== JSON.stringify(missing.body))
          wrong.push(`${state}: ${route.method} ${route.path} → ${res.status}, never-made key → ${missing.status}`);
      }
      const ok = await request(t.app)[route.method](pathOf(route, active.key));
      if (ok.status !== 200) wrong.push(`active: ${route.method} ${route.path} → ${ok.status}`);
    }
    expect(wrong).toEqual([]);
  });
});
