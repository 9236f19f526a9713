import request from 'supertest';

import { createUser, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

const HOST = 'gallery.test';
const SAME_ORIGIN = `http://${HOST}`;
const THIRTY_DAYS = 30 * 24 * 60 * 60;

let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await startTestApp();
  admin = await createUser(t, 'admin');
});
afterAll(async () => {
  await t.close();
});

/** The Set-Cookie headers of a reply, as one array. */
function setCookies(res: request.Response): string[] {
  const header = res.headers['set-cookie'] as string[] | string | undefined;
  if (header === undefined) return [];
  return Array.isArray(header) ? header : [header];
}

function sessionCookieOf(res: request.Response): string {
  const cookie = setCookies(res).find((line) => line.startsWith('gallery_session='));
  if (!cookie) throw new Error(`no session cookie in ${JSON.stringify(res.headers)}`);
  return cookie;
}

/** Signs `user` in the browser's way; returns the `Cookie` header value to send back. */
async function signIn(app: TestApp, user: TestUser): Promise<{ cookie: string; res: request.Response }> {
  const res = await request(app.app)
    .post('/api/auth/session')
    .set('Host', HOST)
    .send({ username: user.username, password: user.password })
    .expect(200);
  const [pair] = sessionCookieOf(res).split(';');
  return { cookie: pair, res };
}

/** A write as the web app makes it: the cookie, the CSRF header, this server's Origin. */
const appWrite = (cookie: string) => ({ Cookie: cookie, 'X-Gallery-CSRF': '1', Origin: SAME_ORIGIN, Host: HOST });

const galleriesOf = (user: TestUser) => t.db.gallery.count({ where: { ownerId: user.id } });

describe('POST /api/auth/session', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie living as long as a token, and answers with the same user as /me', async () => {
    const user = await createUser(t, 'beta_player');
    const { cookie, res } = await signIn(t, user);
    const line = sessionCookieOf(res);
    expect(line).toMatch(/^gallery_session=[A-Za-z0-9_-]{43};/);
    expect(line).toMatch(/; HttpOnly(;|$)/);
    expect(line).toMatch(/; SameSite=Strict(;|$)/);
    expect(line).toMatch(/; Path=\/(;|$)/);
    expect(line).not.toMatch(/Secure/);
    const maxAge = Number(/Max-Age=(\d+)/.exec(line)?.[1]);
    expect(Math.abs(maxAge - THIRTY_DAYS)).toBeLessThanOrEqual(2);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).not.toHaveProperty('token');
    expect(res.body.message).toEqual(expect.any(String));

    const me = await request(t.app).get('/api/auth/me').set('Cookie', cookie).expect(200);
    expect(res.body.user).toEqual(me.body);
    expect(me.body).toMatchObject({ username: user.username, role: 'beta_player' });
  });

  it('keeps the session as a server-side token of kind "browser", stored hashed', async () => {
    const user = await createUser(t, 'subscriber');
    const { cookie } = await signIn(t, user);
    const tokens = await request(t.app).get('/api/auth/tokens').set('Cookie', cookie).expect(200);
    const current = tokens.body as { kind: string; current: boolean }[];
    expect(current.filter((token) => token.current)).toEqual([expect.objectContaining({ kind: 'browser' })]);
    const raw = cookie.split('=')[1];
    expect(await t.db.token.count({ where: { tokenHash: raw } })).toBe(0);
  });

  it('refuses a sign-in posted from another site (login CSRF) with 403 CSRF_REJECTED and no cookie', async () => {
    const user = await createUser(t, 'subscriber');
    const res = await request(t.app)
      .post('/api/auth/session')
      .set({ Host: HOST, Origin: 'https://evil.example' })
      .type('form')
      .send({ username: user.username, password: user.password })
      .expect(403);
    expect(res.body.code).toBe('CSRF_REJECTED');
    expect(res.body.message).toMatch(/^Cross-site request refused: /);
    expect(setCookies(res)).toEqual([]);
  });

  it('answers 401 INVALID_CREDENTIALS for a wrong password, with no cookie', async () => {
    const user = await createUser(t, 'subscriber');
    const res = await request(t.app)
      .post('/api/auth/session')
      .send({ username: user.username, password: 'wrong' })
      .expect(401);
    expect(res.body.code).toBe('INVALID_CREDENTIALS');
    expect(setCookies(res)).toEqual([]);
  });
});

describe('Secure cookies', () => {
  it('are Secure when the request came over HTTPS through a trusted proxy, not when the proxy is not trusted', async () => {
    const user = await createUser(t, 'subscriber');
    const untrusted = await request(t.app)
      .post('/api/auth/session')
      .set('X-Forwarded-Proto', 'https')
      .send({ username: user.username, password: user.password })
      .expect(200);
    expect(sessionCookieOf(untrusted)).not.toMatch(/Secure/);

    const behindProxy = await startTestApp({ TRUST_PROXY: 'true' });
    try {
      const proxied = await createUser(behindProxy, 'subscriber');
      const res = await request(behindProxy.app)
        .post('/api/auth/session')
        .set('X-Forwarded-Proto', 'https')
        .send({ username: proxied.username, password: proxied.password })
        .expect(200);
      expect(sessionCookieOf(res)).toMatch(/; Secure(;|$)/);
    } finally {
      await behindProxy.close();
    }
  });

  it('are Secure when PUBLIC_URL is https, and the CSRF origin is then PUBLIC_URL', async () => {
    const https = await startTestApp({ PUBLIC_URL: 'https://photos.example.com' });
    try {
      const user = await createUser(https, 'beta_player');
      const res = await request(https.app)
        .post('/api/auth/session')
        .send({ username: user.username, password: user.password })
        .expect(200);
      expect(sessionCookieOf(res)).toMatch(/; Secure(;|$)/);
      const [cookie] = sessionCookieOf(res).split(';');
      const write = (origin: string) =>
        request(https.app)
          .post('/api/gallery/galleries')
          .set({ Cookie: cookie, 'X-Gallery-CSRF': '1', Origin: origin })
          .send({ name: `g ${origin}` });
      expect((await write('http://photos.example.com').expect(403)).body.code).toBe('CSRF_REJECTED');
      await write('https://photos.example.com').expect(201);
      const out = await request(https.app)
        .delete('/api/auth/session')
        .set({ Cookie: cookie, 'X-Gallery-CSRF': '1' })
        .expect(200);
      expect(sessionCookieOf(out)).toMatch(/Max-Age=0.*; Secure/);
    } finally {
      await https.close();
    }
  });
});

describe('requests signed in by the cookie', () => {
  it('may read without the CSRF header', async () => {
    const user = await createUser(t, 'subscriber');
    const { cookie } = await signIn(t, user);
    await request(t.app).get('/api/gallery/galleries').set('Cookie', cookie).expect(200);
    await request(t.app).get('/api/auth/me').set({ Cookie: cookie, Origin: 'https://evil.example' }).expect(200);
  });

  it('refuses a write without X-Gallery-CSRF with 403 CSRF_REJECTED, changing nothing', async () => {
    const user = await createUser(t, 'beta_player');
    const { cookie } = await signIn(t, user);
    const res = await request(t.app)
      .post('/api/gallery/galleries')
      .set({ Cookie: cookie, Host: HOST, Origin: SAME_ORIGIN })
      .send({ name: 'Nope' })
      .expect(403);
    expect(res.body).toMatchObject({ code: 'CSRF_REJECTED' });
    expect(res.body.message).toMatch(/^Cross-site request refused: .*X-Gallery-CSRF/);
    // A plain cross-site form: urlencoded, no custom header.
    await request(t.app)
      .post('/api/gallery/galleries')
      .set('Cookie', cookie)
      .type('form')
      .send({ name: 'Form' })
      .expect(403);
    expect(await galleriesOf(user)).toBe(0);
  });

  it('refuses a write from a foreign Origin even with the header, changing nothing', async () => {
    const user = await createUser(t, 'beta_player');
    const { cookie } = await signIn(t, user);
    const res = await request(t.app)
      .post('/api/gallery/galleries')
      .set({ ...appWrite(cookie), Origin: 'https://evil.example' })
      .send({ name: 'Nope' })
      .expect(403);
    expect(res.body.code).toBe('CSRF_REJECTED');
    // Another port or scheme is another origin.
    await request(t.app)
      .post('/api/gallery/galleries')
      .set({ ...appWrite(cookie), Origin: `${SAME_ORIGIN}:8080` })
      .send({ name: 'Nope' })
      .expect(403);
    await request(t.app)
      .post('/api/gallery/galleries')
      .set({ ...appWrite(cookie), Origin: `https://${HOST}` })
      .send({ name: 'Nope' })
      .expect(403);
    await request(t.app)
      .post('/api/gallery/galleries')
      .set({ ...appWrite(cookie), Origin: 'null' })
      .send({ name: 'Nope' })
      .expect(403);
    expect(await galleriesOf(user)).toBe(0);
  });

  it('accepts a write with the header from the same origin, or with no Origin at all', async () => {
    const user = await createUser(t, 'beta_player');
    const { cookie } = await signIn(t, user);
    await request(t.app).post('/api/gallery/galleries').set(appWrite(cookie)).send({ name: 'Same origin' }).expect(201);
    await request(t.app)
      .post('/api/gallery/galleries')
      .set({ Cookie: cookie, 'X-Gallery-CSRF': '1' })
      .send({ name: 'No origin' })
      .expect(201);
    expect(await galleriesOf(user)).toBe(2);
  });

  it('are not the only way: an Authorization header needs no CSRF header and wins over the cookie', async () => {
    const user = await createUser(t, 'beta_player');
    const { cookie } = await signIn(t, user);
    await request(t.app)
      .post('/api/gallery/galleries')
      .set(user.auth)
      .set('Origin', 'https://script.example')
      .send({ name: 'Script' })
      .expect(201);
    await request(t.app)
      .post('/api/gallery/galleries')
      .set(user.auth)
      .set('Cookie', cookie)
      .send({ name: 'Both' })
      .expect(201);
    // A bad header is not rescued by a good cookie.
    const res = await request(t.app)
      .get('/api/auth/me')
      .set({ Cookie: cookie, Authorization: 'Token nope' })
      .expect(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
  });

  it('answers 401 for an unknown cookie and removes it', async () => {
    const res = await request(t.app)
      .get('/api/auth/me')
      .set('Cookie', `gallery_session=${'x'.repeat(43)}`)
      .expect(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
    expect(sessionCookieOf(res)).toMatch(/^gallery_session=; Max-Age=0/);
    await request(t.app).get('/api/auth/me').set('Cookie', 'other=1; gallery_session=short').expect(401);
  });
});

describe('ending the session', () => {
  it('DELETE /api/auth/session revokes the token and clears the cookie; the cookie is refused after', async () => {
    const user = await createUser(t, 'subscriber');
    const { cookie } = await signIn(t, user);
    await request(t.app).delete('/api/auth/session').set('Cookie', cookie).expect(403);
    const res = await request(t.app).delete('/api/auth/session').set(appWrite(cookie)).expect(200);
    expect(sessionCookieOf(res)).toMatch(/^gallery_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict/);
    await request(t.app).get('/api/auth/me').set('Cookie', cookie).expect(401);
    // The user's other tokens live on.
    await request(t.app).get('/api/auth/me').set(user.auth).expect(200);
  });

  it('POST /api/auth/logout with the cookie works too and clears it; with a token header it leaves cookies alone', async () => {
    const user = await createUser(t, 'subscriber');
    const { cookie } = await signIn(t, user);
    const res = await request(t.app).post('/api/auth/logout').set(appWrite(cookie)).expect(200);
    expect(sessionCookieOf(res)).toMatch(/Max-Age=0/);
    await request(t.app).get('/api/auth/me').set('Cookie', cookie).expect(401);
    const byHeader = await request(t.app).post('/api/auth/logout').set(user.auth).expect(200);
    expect(setCookies(byHeader)).toEqual([]);
  });

  it("ends with an admin's revoke-all of the user's tokens", async () => {
    const user = await createUser(t, 'beta_player');
    const { cookie } = await signIn(t, user);
    await request(t.app).delete(`/api/admin/users/${user.id}/tokens`).set(admin.auth).expect(200);
    await request(t.app).get('/api/auth/me').set('Cookie', cookie).expect(401);
  });

  it("ends with the user's own revoke-all, made from the browser", async () => {
    const user = await createUser(t, 'beta_player');
    const { cookie } = await signIn(t, user);
    await request(t.app).delete('/api/auth/tokens').set(appWrite(cookie)).expect(200);
    await request(t.app).get('/api/auth/me').set('Cookie', cookie).expect(401);
    await request(t.app).get('/api/auth/me').set(user.auth).expect(401);
  });

  it('ends when the password is changed elsewhere; a change from the browser keeps that browser signed in', async () => {
    const user = await createUser(t, 'beta_player');
    const { cookie } = await signIn(t, user);
    const change = (password: string, next: string) => ({
      currentPassword: password,
      newPassword: next,
      newPassword2: next,
    });
    await request(t.app)
      .post('/api/auth/password')
      .set(user.auth)
      .send(change(user.password, 'a brand new secret'))
      .expect(200);
    await request(t.app).get('/api/auth/me').set('Cookie', cookie).expect(401);

    const again = await signIn(t, { ...user, password: 'a brand new secret' });
    const other = await request(t.app)
      .post('/api/auth/login')
      .send({ username: user.username, password: 'a brand new secret' })
      .expect(200);
    await request(t.app)
      .post('/api/auth/password')
      .set(appWrite(again.cookie))
      .send(change('a brand new secret', 'another new secret'))
      .expect(200);
    await request(t.app).get('/api/auth/me').set('Cookie', again.cookie).expect(200);
    await request(t.app)
      .get('/api/auth/me')
      .set('Authorization', `Token ${other.body.token as string}`)
      .expect(401);
  });

  it('ends when an admin deactivates the account', async () => {
    const user = await createUser(t, 'subscriber');
    const { cookie } = await signIn(t, user);
    await request(t.app).patch(`/api/admin/users/${user.id}`).set(admin.auth).send({ isActive: false }).expect(200);
    await request(t.app).get('/api/auth/me').set('Cookie', cookie).expect(401);
  });
});

describe('failed browser sign-ins', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await startTestApp({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCK_SECONDS: '60' });
  });
  afterAll(async () => {
    await strict.close();
  });

  it('are throttled and audited exactly as failed logins, in one count with /api/auth/login', async () => {
    const user = await createUser(strict, 'subscriber');
    const session = (password: string) =>
      request(strict.app).post('/api/auth/session').send({ username: user.username, password });
    await session('wrong-1').expect(401);
    await session('wrong-2').expect(401);
    await request(strict.app)
      .post('/api/auth/login')
      .send({ username: user.username, password: 'wrong-3' })
      .expect(401);
    const locked = await session(user.password).expect(429);
    expect(locked.body.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(setCookies(locked)).toEqual([]);
    await request(strict.app)
      .post('/api/auth/login')
      .send({ username: user.username, password: user.password })
      .expect(429);
    const failed = await strict.db.auditEvent.count({
      where: { action: 'login', outcome: 'failed', detail: `username=${user.username}` },
    });
    expect(failed).toBe(3);
  });

  it('record a successful sign-in in the audit log as a login', async () => {
    const user = await createUser(strict, 'subscriber');
    await signIn(strict, user);
    const events = await strict.db.auditEvent.findMany({ where: { action: 'login', actorId: user.id, outcome: 'ok' } });
    expect(events.map((event) => event.detail)).toContain('browser session');
  });
});
