import request from 'supertest';

import type { RouteSpec } from '../../src/http/route';
import { ROLE_PERMISSIONS, type RoleName } from '../../src/shared/permissions';
import { createCast, createGallery, createImage, createUser, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The access rules of every route in the table, checked for every kind of caller: anonymous, each
 * role, a user without a role and a read-only token. Ownership (owner vs non-owner) is checked cell
 * by cell in permissions.test.ts.
 */
let t: TestApp;
let users: Record<RoleName | 'noRole', TestUser>;
let readOnly: string;
let imageId: number;

beforeAll(async () => {
  t = await startTestApp();
  const cast = await createCast(t);
  users = {
    admin: cast.admin,
    beta_player: cast.owner,
    company_user: cast.companyUser,
    subscriber: cast.subscriber,
    noRole: await createUser(t, null),
  };
  const gallery = await createGallery(t, cast.owner);
  imageId = (await createImage(t, cast.owner, gallery.id)).id;
  readOnly = (
    await request(t.app).post('/api/auth/tokens').set(cast.owner.auth).send({ name: 'ro', scope: 'read' }).expect(201)
  ).body.token;
});
afterAll(async () => {
  await t.close();
});

const routes = (): RouteSpec[] => t.app.locals.routes;
/**
 * Calls a route with an empty body and a missing id: access is decided before either is looked at,
 * and nothing is changed whatever the answer.
 */
const path = (route: RouteSpec) => route.path.replace(':id', '999999');
const call = (route: RouteSpec, headers: Record<string, string> = {}) =>
  request(t.app)[route.method](path(route)).set(headers);

describe('every route in the table', () => {
  it('answers anonymous callers 401 with a Token challenge, unless it is public', async () => {
    const wrong: string[] = [];
    for (const route of routes().filter((r) => r.access !== 'public')) {
      const res = await call(route);
      if (res.status !== 401 || res.headers['www-authenticate'] !== 'Token')
        wrong.push(`${route.method} ${route.path} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it.each(['admin', 'beta_player', 'company_user', 'subscriber', 'noRole'] as const)(
    'answers %s 403 exactly where the role lacks the permission',
    async (role) => {
      const granted = new Set<string>(role === 'noRole' ? [] : ROLE_PERMISSIONS[role]);
      const wrong: string[] = [];
      for (const route of routes().filter((r) => r.access !== 'public' && r.access !== 'authenticated')) {
        const res = await call(route, users[role].auth);
        const denied = res.status === 403 && res.body.message === 'You do not have permission to perform this action.';
        if (denied === granted.has(route.access))
          wrong.push(`${route.method} ${route.path} (${route.access}) → ${res.status}`);
      }
      expect(wrong).toEqual([]);
    },
  );

  it('answers a read-only token 403 on every write but logout, and lets it read', async () => {
    const wrong: string[] = [];
    for (const route of routes().filter((r) => r.access !== 'public' && !r.readOnlyTokenMayCall)) {
      const res = await call(route, { Authorization: `Token ${readOnly}` });
      const readOnlyRefusal = res.status === 403 && res.body.message === 'This token is read-only.';
      if ((route.method !== 'get') !== readOnlyRefusal)
        wrong.push(`${route.method} ${route.path} → ${res.status} ${res.body.message ?? ''}`);
    }
    expect(wrong).toEqual([]);
    expect(await t.db.image.count({ where: { id: imageId } })).toBe(1);
  });
});
