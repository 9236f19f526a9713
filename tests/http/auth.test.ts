import request from 'supertest';

import type { Database } from '../../src/platform/db/client';
import { createUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { testDbKind } from '../helpers/test-env';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const register = (body: Record<string, unknown>) => request(t.app).post('/api/auth/register/').send(body);

function account(name: string, extra: Record<string, unknown> = {}) {
  return {
    username: name,
    email: `${name}@example.test`,
    password: 'correct horse',
    password2: 'correct horse',
    ...extra,
  };
}

describe('POST /api/auth/register', () => {
  it('creates a subscriber by default and answers 201 with the original message', async () => {
    const res = await register(account('alice')).expect(201);
    expect(res.body).toMatchObject({
      message: 'Account has been created',
      username: 'alice',
      email: 'alice@example.test',
      role: 'subscriber',
    });
    expect(res.body).not.toHaveProperty('passwordHash');
    expect(res.body).not.toHaveProperty('password');
  });

  it('lets a newly registered user log in at once (the original answered 500)', async () => {
    await register(account('bob', { role: 'company_user' })).expect(201);
    const res = await request(t.app)
      .post('/api/auth/login')
      .send({ username: 'bob', password: 'correct horse' })
      .expect(200);
    expect(res.body.user).toMatchObject({ username: 'bob', role: 'company_user' });
  });

  it('accepts a role by its label, as the original forms sent it', async () => {
    const res = await register(account('carol', { role: 'Company User' })).expect(201);
    expect(res.body.role).toBe('company_user');
  });

  it('refuses mismatched passwords with 400 "Password does not match"', async () => {
    const res = await register(account('dave', { password2: 'something else' })).expect(400);
    expect(res.body).toMatchObject({ message: 'Password does not match', code: 'VALIDATION_FAILED' });
    expect(await t.db.user.count({ where: { usernameLower: 'dave' } })).toBe(0);
  });

  it('refuses a taken username with 409, whatever its case', async () => {
    await register(account('erin')).expect(201);
    const res = await register(account('ERIN', { email: 'other@example.test' })).expect(409);
    expect(res.body).toEqual({ message: 'A user with that username already exists.', code: 'CONFLICT' });
  });

  it('refuses a taken email with 409, whatever its case', async () => {
    await register(account('frank')).expect(201);
    const res = await register(account('frank2', { email: 'FRANK@example.test' })).expect(409);
    expect(res.body.message).toBe('A user with that email already exists.');
  });

  it.each([
    ['beta_player', 'Beta Player'],
    ['admin', 'admin'],
  ])('refuses to self-assign the %s role with 403', async (role, given) => {
    const res = await register(account(`grace_${role}`, { role: given })).expect(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect(await t.db.user.count({ where: { usernameLower: `grace_${role}` } })).toBe(0);
  });

  it.each([
    ['a short password', { password: 'short', password2: 'short' }, 'password'],
    ['a password over 72 bytes', { password: 'é'.repeat(37), password2: 'é'.repeat(37) }, 'password'],
    [
      'a password equal to the username',
      { password: 'henry-the-8th', password2: 'henry-the-8th', username: 'henry-the-8th' },
      'password',
    ],
    ['a common password', { password: 'password123', password2: 'password123' }, 'password'],
    ['a common password in other case', { password: 'ILoveYou1', password2: 'ILoveYou1' }, 'password'],
    ['an invalid email', { email: 'not-an-email' }, 'email'],
    ['a username with spaces', { username: 'has space' }, 'username'],
    ['an unknown role', { role: 'emperor' }, 'role'],
  ])('refuses %s with 400 naming the field', async (_name, change, field) => {
    const res = await register({ ...account('henry'), ...change }).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details.map((d: { path: string }) => d.path)).toContain(field);
  });

  it('refuses a missing body with 400, not 500', async () => {
    const res = await request(t.app).post('/api/auth/register').expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('ignores fields a client must not set (isActive, role ids)', async () => {
    await register(account('ivan', { isActive: false, roleId: 1, passwordHash: 'x' })).expect(201);
    const row = await t.db.user.findUniqueOrThrow({ where: { usernameLower: 'ivan' }, include: { role: true } });
    expect(row.isActive).toBe(true);
    expect(row.role?.name).toBe('subscriber');
    expect(row.passwordHash).toMatch(/^\$2[aby]\$/);
  });

  it('accepts a form-encoded body, as HTML forms and Postman send it', async () => {
    const res = await request(t.app).post('/api/auth/register').type('form').send(account('judy')).expect(201);
    expect(res.body.username).toBe('judy');
  });
});

describe('POST /api/auth/login', () => {
  it('returns a token, its expiry and the user', async () => {
    const user = await createUser(t, 'beta_player');
    const res = await request(t.app)
      .post('/api/auth/login/')
      .send({ username: user.username, password: user.password })
      .expect(200);
    expect(res.body).toMatchObject({
      message: 'Login successful',
      user: { id: user.id, username: user.username, role: 'beta_player' },
    });
    expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const days = (Date.parse(res.body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
  });

  it('stores only a hash of the token', async () => {
    const user = await createUser(t, 'subscriber');
    const rows = await t.db.token.findMany({ where: { userId: user.id } });
    expect(rows.length).toBe(1);
    expect(rows[0].tokenHash).not.toContain(user.token);
    expect(rows[0].tokenHash).toMatch(/^[a-f0-9]{64}$/);
  });

  it('is case-insensitive on the username', async () => {
    const user = await createUser(t, 'subscriber');
    await request(t.app)
      .post('/api/auth/login')
      .send({ username: user.username.toUpperCase(), password: user.password })
      .expect(200);
  });

  it('gives a wrong password, an unknown user and an inactive user the same 401', async () => {
    const user = await createUser(t, 'subscriber');
    const inactive = await createUser(t, 'subscriber', { isActive: false });
    const replies = await Promise.all([
      request(t.app).post('/api/auth/login').send({ username: user.username, password: 'wrong password' }),
      request(t.app).post('/api/auth/login').send({ username: 'nobody-here', password: 'whatever1' }),
      request(t.app).post('/api/auth/login').send({ username: inactive.username, password: inactive.password }),
    ]);
    for (const res of replies) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'Invalid credentials', code: 'INVALID_CREDENTIALS' });
    }
  });

  it('refuses a missing field with 400', async () => {
    const res = await request(t.app).post('/api/auth/login').send({ username: 'someone' }).expect(400);
    expect(res.body.details[0].path).toBe('password');
  });

  it('issues a new token on each login', async () => {
    const user = await createUser(t, 'subscriber');
    const again = await request(t.app)
      .post('/api/auth/login')
      .send({ username: user.username, password: user.password })
      .expect(200);
    expect(again.body.token).not.toBe(user.token);
    expect(await t.db.token.count({ where: { userId: user.id } })).toBe(2);
  });

  it('answers malformed JSON with 400 INVALID_JSON', async () => {
    const res = await request(t.app)
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username":')
      .expect(400);
    expect(res.body.code).toBe('INVALID_JSON');
  });

  it('refuses a body in an unsupported content type with 415', async () => {
    const res = await request(t.app)
      .post('/api/auth/login')
      .set('Content-Type', 'text/plain')
      .send('username=a')
      .expect(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('POST /api/auth/token', () => {
  it('exchanges username and password for a token', async () => {
    const user = await createUser(t, 'company_user');
    const res = await request(t.app)
      .post('/api/auth/token/')
      .send({ username: user.username, password: user.password })
      .expect(200);
    expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await request(t.app).get('/api/auth/me').set('Authorization', `Token ${res.body.token}`).expect(200);
  });

  it('checks a token and names its user', async () => {
    const user = await createUser(t, 'company_user');
    const res = await request(t.app).post('/api/auth/token').send({ token: user.token }).expect(200);
    expect(res.body).toEqual({ message: 'Login successful', username: user.username });
  });

  it('answers an unknown token with 401 "Invalid token"', async () => {
    const res = await request(t.app)
      .post('/api/auth/token')
      .send({ token: 'x'.repeat(43) })
      .expect(401);
    expect(res.body).toEqual({ message: 'Invalid token', code: 'INVALID_TOKEN' });
  });

  it('refuses wrong credentials with 401 and an empty body with 400', async () => {
    const user = await createUser(t, 'company_user');
    await request(t.app).post('/api/auth/token').send({ username: user.username, password: 'nope-nope' }).expect(401);
    await request(t.app).post('/api/auth/token').send({}).expect(400);
  });
});

describe('POST /api/auth/logout', () => {
  it('revokes the token used, and only that one (the original left it valid)', async () => {
    const user = await createUser(t, 'subscriber');
    const second = await request(t.app)
      .post('/api/auth/login')
      .send({ username: user.username, password: user.password })
      .expect(200);
    const res = await request(t.app).post('/api/auth/logout/').set(user.auth).expect(200);
    expect(res.body).toEqual({ message: 'Logout successful' });
    const after = await request(t.app).get('/api/auth/me').set(user.auth).expect(401);
    expect(after.body.code).toBe('INVALID_TOKEN');
    await request(t.app).get('/api/auth/me').set('Authorization', `Token ${second.body.token}`).expect(200);
  });

  it('needs a token', async () => {
    const res = await request(t.app).post('/api/auth/logout').expect(401);
    expect(res.headers['www-authenticate']).toBe('Token');
  });
});

describe('GET /api/auth/me', () => {
  it('shows the user, role and permissions', async () => {
    const user = await createUser(t, 'beta_player');
    const res = await request(t.app).get('/api/auth/me/').set(user.auth).expect(200);
    expect(res.body).toMatchObject({
      id: user.id,
      username: user.username,
      role: 'beta_player',
      roleLabel: 'Beta Player',
    });
    expect(res.body.permissions).toEqual(expect.arrayContaining(['image:create', 'gallery:create']));
    expect(res.body.permissions).not.toContain('user:manage');
  });

  it('reads the database once at most: the token lookup brings the whole user', async () => {
    let sql = 0;
    let orm = 0;
    const counted = await startTestApp(
      {},
      {
        wrap: (deps) => ({
          ...deps,
          reader: { ...deps.reader, all: (text, params) => ((sql += 1), deps.reader.all(text, params)) },
          db: deps.db.$extends({
            query: { $allOperations: ({ args, query }) => ((orm += 1), query(args)) },
          }) as unknown as Database,
        }),
      },
    );
    try {
      const user = await createUser(counted, 'subscriber');
      await request(counted.app).get('/api/auth/me').set(user.auth).expect(200); // the first use of a token notes it
      [sql, orm] = [0, 0];
      const res = await request(counted.app).get('/api/auth/me').set(user.auth).expect(200);
      expect(res.body).toMatchObject({
        id: user.id,
        username: user.username,
        email: user.email,
        role: 'subscriber',
        isActive: true,
        storageQuotaMb: null,
      });
      expect(res.body.lastLoginAt).toEqual(expect.any(String));
      expect(sql).toBeLessThanOrEqual(1);
      expect(orm).toBe(0);
      // A token already checked, with nothing changed since, is kept (token-cache.ts): no query at all.
      [sql, orm] = [0, 0];
      await request(counted.app).get('/api/auth/me').set(user.auth).expect(200);
      expect({ sql, orm }).toEqual({ sql: 0, orm: 0 });
    } finally {
      await counted.close();
    }
  });

  it('follows a change made straight in the database at once, although the token was kept', async () => {
    const user = await createUser(t, 'beta_player');
    for (let i = 0; i < 3; i++) await request(t.app).get('/api/auth/me').set(user.auth).expect(200);
    await t.db.$executeRawUnsafe(
      `UPDATE "User" SET "roleId" = (SELECT id FROM "Role" WHERE name = 'subscriber') WHERE id = ${user.id}`,
    );
    // SQLite: at once (the data version moved); PostgreSQL: as soon as the notification arrives.
    const deadline = Date.now() + 1000;
    let role = '';
    while (role !== 'subscriber' && Date.now() < deadline)
      role = (await request(t.app).get('/api/auth/me').set(user.auth).expect(200)).body.role;
    expect(role).toBe('subscriber');
    if (testDbKind() === 'sqlite') {
      await t.db.$executeRawUnsafe(`UPDATE "User" SET "isActive" = false WHERE id = ${user.id}`);
      await request(t.app).get('/api/auth/me').set(user.auth).expect(401);
    }
  });

  it('serves a user without a role with no permissions, not a 500', async () => {
    const user = await createUser(t, null);
    const res = await request(t.app).get('/api/auth/me').set(user.auth).expect(200);
    expect(res.body).toMatchObject({ role: null, permissions: [] });
    const images = await request(t.app).get('/api/gallery/view-images/').set(user.auth).expect(403);
    expect(images.body.code).toBe('FORBIDDEN');
  });
});

describe('token authentication', () => {
  it('answers a missing token with 401 and a Token challenge', async () => {
    const res = await request(t.app).get('/api/auth/me').expect(401);
    expect(res.headers['www-authenticate']).toBe('Token');
    expect(res.body.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['an empty header', ''],
    ['a Bearer scheme', `Bearer ${'a'.repeat(43)}`],
    ['a token of the wrong length', 'Token abc'],
    ['a 10 KB header', `Token ${'a'.repeat(10_000)}`],
    ['two tokens', `Token ${'a'.repeat(43)} ${'b'.repeat(43)}`],
  ])('answers %s with 401, never 500', async (_name, header) => {
    const res = await request(t.app).get('/api/auth/me').set('Authorization', header);
    expect(res.status).toBe(401);
    expect(res.body.code).toMatch(/^(UNAUTHENTICATED|INVALID_TOKEN)$/);
  });

  it('refuses an expired token', async () => {
    const user = await createUser(t, 'subscriber');
    await t.db.token.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await request(t.app).get('/api/auth/me').set(user.auth).expect(401);
  });

  it('accepts the scheme in any case', async () => {
    const user = await createUser(t, 'subscriber');
    await request(t.app).get('/api/auth/me').set('Authorization', `token ${user.token}`).expect(200);
  });

  it('records when a token was last used', async () => {
    const user = await createUser(t, 'subscriber');
    await request(t.app).get('/api/auth/me').set(user.auth).expect(200);
    const row = await t.db.token.findFirstOrThrow({ where: { userId: user.id } });
    expect(row.lastUsedAt).not.toBeNull();
  });
});

describe('no account enumeration', () => {
  it('spends one bcrypt comparison on an unknown user, as on a wrong password', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bcrypt = require('bcrypt') as typeof import('bcrypt');
    const user = await createUser(t, 'subscriber');
    const compare = jest.spyOn(bcrypt, 'compare');
    try {
      const unknown = await request(t.app)
        .post('/api/auth/login')
        .send({ username: 'no-such-user', password: 'whatever-1' });
      const unknownCalls = compare.mock.calls.length;
      const wrong = await request(t.app)
        .post('/api/auth/login')
        .send({ username: user.username, password: 'wrong-password' });
      expect(unknownCalls).toBe(1);
      expect(compare.mock.calls.length - unknownCalls).toBe(1);
      expect(unknown.status).toBe(wrong.status);
      expect(unknown.body).toEqual(wrong.body);
    } finally {
      compare.mockRestore();
    }
  });
});
