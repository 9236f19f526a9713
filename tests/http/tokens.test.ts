import request from 'supertest';

import { createCast, createGallery, createImage, createUser, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  ({ admin } = await createCast(t));
});
afterAll(async () => {
  await t.close();
});

const auth = (token: string) => ({ Authorization: `Token ${token}` });

async function personalToken(user: TestUser, body: Record<string, unknown>) {
  const res = await request(t.app).post('/api/auth/tokens/').set(user.auth).send(body).expect(201);
  return res.body as { token: string; id: number; scope: string; expiresAt: string; prefix: string };
}

describe('personal access tokens', () => {
  it('are shown once at creation and listed by name, scope, prefix and dates, never in full', async () => {
    const user = await createUser(t, 'beta_player');
    const created = await personalToken(user, { name: 'backup script', scope: 'read', expiresInDays: 7 });
    expect(created).toMatchObject({
      message: 'Token created',
      name: 'backup script',
      scope: 'read',
      kind: 'personal',
      current: false,
    });
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.token.slice(0, 8));
    expect((Date.parse(created.expiresAt) - Date.now()) / 86_400_000).toBeCloseTo(7, 1);

    const list = await request(t.app).get('/api/auth/tokens').set(user.auth).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(created.token);
    expect(list.body.map((row: { name: string | null; current: boolean }) => [row.name, row.current])).toEqual([
      ['backup script', false],
      [null, true],
    ]);
  });

  it('with the read scope may read but never write, whatever the role, leaving data unchanged', async () => {
    const user = await createUser(t, 'beta_player');
    const gallery = await createGallery(t, user, 'Kept');
    const image = await createImage(t, user, gallery.id, 'kept title');
    const { token } = await personalToken(user, { name: 'viewer', scope: 'read' });

    await request(t.app).get(`/api/gallery/images/${image.id}`).set(auth(token)).expect(200);
    const refused = [
      await request(t.app).post('/api/gallery/galleries').set(auth(token)).send({ name: 'new' }),
      await request(t.app).patch(`/api/gallery/images/${image.id}`).set(auth(token)).send({ title: 'changed' }),
      await request(t.app).delete(`/api/gallery/images/${image.id}`).set(auth(token)),
      await request(t.app).delete(`/api/gallery/galleries/${gallery.id}`).set(auth(token)),
      await request(t.app).post('/api/auth/tokens').set(auth(token)).send({ name: 'escalate' }),
    ];
    for (const res of refused) {
      expect(res.status).toBe(403);
      expect(res.body.message).toBe('This token is read-only.');
    }
    expect((await t.db.image.findUniqueOrThrow({ where: { id: image.id } })).title).toBe('kept title');
    expect(t.files().length).toBe(3); // the original, its thumbnail and preview
    await request(t.app).post('/api/auth/logout').set(auth(token)).expect(200);
  });

  it('can be revoked one at a time, only by their owner', async () => {
    const user = await createUser(t, 'subscriber');
    const other = await createUser(t, 'subscriber');
    const { token, id } = await personalToken(user, { name: 'ci' });
    await request(t.app).delete(`/api/auth/tokens/${id}`).set(other.auth).expect(404);
    await request(t.app).get('/api/auth/me').set(auth(token)).expect(200);
    await request(t.app).delete(`/api/auth/tokens/${id}/`).set(user.auth).expect(200);
    await request(t.app).get('/api/auth/me').set(auth(token)).expect(401);
    await request(t.app).get('/api/auth/me').set(user.auth).expect(200);
  });

  it('can all be revoked at once by their owner, or by an admin', async () => {
    const user = await createUser(t, 'subscriber');
    const { token } = await personalToken(user, { name: 'a' });
    await request(t.app).delete('/api/auth/tokens').set(user.auth).expect(200);
    await request(t.app).get('/api/auth/me').set(user.auth).expect(401);
    await request(t.app).get('/api/auth/me').set(auth(token)).expect(401);

    const victim = await createUser(t, 'beta_player');
    await request(t.app).delete(`/api/admin/users/${victim.id}/tokens`).set(victim.auth).expect(403);
    const res = await request(t.app).delete(`/api/admin/users/${victim.id}/tokens`).set(admin.auth).expect(200);
    expect(res.body.revoked).toBe(1);
    await request(t.app).get('/api/auth/me').set(victim.auth).expect(401);
  });

  it('are refused once idle for longer than TOKEN_IDLE_DAYS', async () => {
    const user = await createUser(t, 'subscriber');
    await t.db.token.updateMany({
      where: { userId: user.id },
      data: { lastUsedAt: new Date(Date.now() - 15 * 86_400_000) },
    });
    await request(t.app).get('/api/auth/me').set(user.auth).expect(401);
  });

  it('refuse bad input with 400', async () => {
    const user = await createUser(t, 'subscriber');
    await request(t.app).post('/api/auth/tokens').set(user.auth).send({}).expect(400);
    await request(t.app).post('/api/auth/tokens').set(user.auth).send({ name: 'x', scope: 'admin' }).expect(400);
    await request(t.app).post('/api/auth/tokens').set(user.auth).send({ name: 'x', expiresInDays: 1000 }).expect(400);
    await request(t.app).post('/api/auth/tokens').set(user.auth).send({ name: 'x', userId: admin.id }).expect(400);
  });
});

describe('POST /api/auth/password', () => {
  it('needs the current password, then revokes every other token', async () => {
    const user = await createUser(t, 'subscriber');
    const { token: script } = await personalToken(user, { name: 'script' });
    const body = { currentPassword: 'not it', newPassword: 'brand new secret', newPassword2: 'brand new secret' };
    const wrong = await request(t.app).post('/api/auth/password').set(user.auth).send(body).expect(400);
    expect(wrong.body.details[0].path).toBe('currentPassword');

    await request(t.app)
      .post('/api/auth/password/')
      .set(user.auth)
      .send({ ...body, currentPassword: user.password })
      .expect(200);
    await request(t.app).get('/api/auth/me').set(user.auth).expect(200);
    await request(t.app).get('/api/auth/me').set(auth(script)).expect(401);
    await request(t.app).post('/api/auth/login').send({ username: user.username, password: user.password }).expect(401);
    await request(t.app)
      .post('/api/auth/login')
      .send({ username: user.username, password: 'brand new secret' })
      .expect(200);
  });

  it('keeps the password rules', async () => {
    const user = await createUser(t, 'subscriber');
    const short = await request(t.app)
      .post('/api/auth/password')
      .set(user.auth)
      .send({ currentPassword: user.password, newPassword: 'short', newPassword2: 'short' })
      .expect(400);
    expect(short.body.details[0].path).toBe('newPassword');
    const mismatch = await request(t.app)
      .post('/api/auth/password')
      .set(user.auth)
      .send({ currentPassword: user.password, newPassword: 'long enough 1', newPassword2: 'long enough 2' })
      .expect(400);
    expect(mismatch.body.message).toBe('Password does not match');
  });
});
