import request from 'supertest';

import { createUser, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let admin: TestUser;
let player: TestUser;
let subscriber: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  [admin, player, subscriber] = await Promise.all([
    createUser(t, 'admin'),
    createUser(t, 'beta_player'),
    createUser(t, 'subscriber'),
  ]);
});
afterAll(async () => {
  await t.close();
});

describe('/api/admin/users', () => {
  it('lists users to an admin, without secrets', async () => {
    const res = await request(t.app).get('/api/admin/users/').set(admin.auth).expect(200);
    const row = res.body.find((u: { id: number }) => u.id === player.id);
    expect(row).toMatchObject({
      username: player.username,
      role: 'beta_player',
      roleLabel: 'Beta Player',
      isActive: true,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/passwordHash|tokenHash|\$2[aby]\$/);
  });

  it.each(['player', 'subscriber'])('refuses a %s with 403', async (who) => {
    const user = who === 'player' ? player : subscriber;
    await request(t.app).get('/api/admin/users').set(user.auth).expect(403);
    await request(t.app).patch(`/api/admin/users/${user.id}`).set(user.auth).send({ role: 'admin' }).expect(403);
    expect(
      (await t.db.user.findUniqueOrThrow({ where: { id: user.id }, include: { role: true } })).role?.name,
    ).not.toBe('admin');
  });

  it("applies a role change to the user's existing tokens at once", async () => {
    const user = await createUser(t, 'subscriber');
    await request(t.app).post('/api/gallery/galleries').set(user.auth).send({ name: 'before' }).expect(403);
    const res = await request(t.app)
      .patch(`/api/admin/users/${user.id}/`)
      .set(admin.auth)
      .send({ role: 'beta_player' })
      .expect(200);
    expect(res.body).toMatchObject({ message: 'User updated successfully', role: 'beta_player' });
    await request(t.app).post('/api/gallery/galleries').set(user.auth).send({ name: 'after' }).expect(201);
  });

  it('revokes every token of a deactivated user, and they cannot log in', async () => {
    const user = await createUser(t, 'beta_player');
    await request(t.app).patch(`/api/admin/users/${user.id}`).set(admin.auth).send({ isActive: false }).expect(200);
    await request(t.app).get('/api/auth/me').set(user.auth).expect(401);
    expect(await t.db.token.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
    await request(t.app).post('/api/auth/login').send({ username: user.username, password: user.password }).expect(401);
    await request(t.app).patch(`/api/admin/users/${user.id}`).set(admin.auth).send({ isActive: true }).expect(200);
    await request(t.app).post('/api/auth/login').send({ username: user.username, password: user.password }).expect(200);
  });

  it('refuses unknown roles, unknown fields and empty changes with 400', async () => {
    await request(t.app).patch(`/api/admin/users/${player.id}`).set(admin.auth).send({ role: 'emperor' }).expect(400);
    await request(t.app).patch(`/api/admin/users/${player.id}`).set(admin.auth).send({ passwordHash: 'x' }).expect(400);
    await request(t.app).patch(`/api/admin/users/${player.id}`).set(admin.auth).send({}).expect(400);
  });

  it('keeps an admin from locking themselves out', async () => {
    await request(t.app).patch(`/api/admin/users/${admin.id}`).set(admin.auth).send({ isActive: false }).expect(400);
    await request(t.app).patch(`/api/admin/users/${admin.id}`).set(admin.auth).send({ role: 'subscriber' }).expect(400);
  });

  it('answers 404 for a missing user', async () => {
    await request(t.app).patch('/api/admin/users/999999').set(admin.auth).send({ isActive: false }).expect(404);
    await request(t.app).get('/api/admin/users/999999').set(admin.auth).expect(404);
  });
});

describe('/api/roles', () => {
  it('lists the four roles with labels and permissions', async () => {
    const res = await request(t.app).get('/api/roles/').set(subscriber.auth).expect(200);
    expect(res.body.map((r: { name: string }) => r.name).sort()).toEqual([
      'admin',
      'beta_player',
      'company_user',
      'subscriber',
    ]);
    expect(res.body.find((r: { name: string }) => r.name === 'company_user')).toMatchObject({
      label: 'Company User',
      selfAssignable: true,
      permissions: ['gallery:read', 'image:read', 'role:read'],
    });
  });
});

describe('the rest of the surface', () => {
  it('reports health with the database status', async () => {
    const res = await request(t.app).get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'ok' });
  });

  it('answers an unknown route with 404 JSON', async () => {
    const res = await request(t.app).get('/api/nothing-here').expect(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.code).toBe('NOT_FOUND');
  });

  it('answers a known path with another method with 405 and Allow', async () => {
    const res = await request(t.app).delete('/api/auth/login').expect(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.body.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('does not announce the framework', async () => {
    const res = await request(t.app).get('/health');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('answers a JSON body over the limit with 413', async () => {
    const res = await request(t.app)
      .post('/api/auth/login')
      .send({ username: 'x'.repeat(200 * 1024), password: 'y' })
      .expect(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
