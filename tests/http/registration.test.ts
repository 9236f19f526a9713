import request from 'supertest';

import { createUser, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Who may join: REGISTRATION=open|closed|invite, admins' invites (single use, expiring, maybe for
 * one address; the app's clock moved on), the REGISTRATION_DOMAINS allow-list, 100 registrations
 * at once with one invite, and DEFAULT_GALLERY_VISIBILITY for new galleries.
 */

let sequence = 0;
const person = (email?: string) => {
  const username = `joiner${process.pid}_${++sequence}`;
  return {
    username,
    email: email ?? `${username}@example.test`,
    password: 'joining passphrase',
    password2: 'joining passphrase',
  };
};
const register = (t: TestApp, body: Record<string, unknown>) => request(t.app).post('/api/auth/register').send(body);
const invite = (t: TestApp, admin: TestUser, body: Record<string, unknown> = {}) =>
  request(t.app).post('/api/admin/invites').set(admin.auth).send(body);

describe('REGISTRATION=closed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REGISTRATION: 'closed', LOGIN_ADDRESS_MAX_FAILURES: '3' });
  });
  afterAll(() => t.close());

  it('refuses every registration with a clear 403, audited, and says so in the settings', async () => {
    const users = await t.db.user.count();
    const refused = await register(t, person()).expect(403);
    expect(refused.body).toEqual({ code: 'FORBIDDEN', message: expect.stringMatching(/Registration is closed/) });
    expect(await t.db.user.count()).toBe(users);
    const event = await t.db.auditEvent.findFirst({ where: { action: 'register', outcome: 'failed' } });
    expect(event?.detail).toMatch(/closed/);
    expect((await request(t.app).get('/api/auth/settings').expect(200)).body.registration).toBe('closed');
  });

  it('counts refusals against the client, like failed logins: past the limit, 429', async () => {
    await register(t, person()).expect(403);
    await register(t, person()).expect(403);
    const throttled = await register(t, person()).expect(429);
    expect(throttled.headers['retry-after']).toBeDefined();
  });
});

describe('REGISTRATION=invite', () => {
  let t: TestApp;
  let admin: TestUser;
  let offsetMs = 0;
  beforeAll(async () => {
    t = await startTestApp(
      { REGISTRATION: 'invite', PUBLIC_URL: 'https://photos.example.test', LOGIN_ADDRESS_MAX_FAILURES: '100000' },
      { wrap: (deps) => ({ ...deps, clock: () => Date.now() + offsetMs }) },
    );
    admin = await createUser(t, 'admin');
  });
  afterAll(() => t.close());
  afterEach(() => {
    offsetMs = 0;
  });

  it('needs an invite: without one 403, with one an account, once', async () => {
    expect((await register(t, person()).expect(403)).body.message).toMatch(/needs an invite/);
    const made = await invite(t, admin).expect(201);
    expect(made.body).toMatchObject({ state: 'pending', email: null, role: null, usedBy: null });
    expect(made.body.url).toBe(`https://photos.example.test/register#invite=${made.body.token}`);
    const row = await t.db.invite.findUniqueOrThrow({ where: { id: made.body.id } });
    expect(row.tokenHash).not.toContain(made.body.token);

    const joiner = person();
    const joined = await register(t, { ...joiner, invite: made.body.token }).expect(201);
    expect(joined.body.role).toBe('subscriber');
    const again = await register(t, { ...person(), invite: made.body.token }).expect(410);
    expect(again.body.code).toBe('LINK_INVALID');

    const list = await request(t.app).get('/api/admin/invites').set(admin.auth).expect(200);
    const listed = list.body.find((entry: { id: number }) => entry.id === made.body.id);
    expect(listed).toMatchObject({ state: 'used', usedBy: { id: joined.body.id, username: joiner.username } });
    expect(listed.token).toBeUndefined();
    const actions = await t.db.auditEvent.findMany({ where: { targetType: 'invite', targetId: made.body.id } });
    expect(actions.map((event) => event.action).sort()).toEqual(['invite.create', 'invite.use']);
  });

  it('binds an invite to one address and gives the role it names', async () => {
    const made = await invite(t, admin, { email: 'Chosen@Example.org', role: 'company_user' }).expect(201);
    expect(made.body).toMatchObject({ email: 'chosen@example.org', role: 'company_user' });
    const wrong = await register(t, { ...person('someone.else@example.org'), invite: made.body.token }).expect(403);
    expect(wrong.body.message).toMatch(/another email address/);
    const joined = await register(t, { ...person('CHOSEN@example.org'), invite: made.body.token }).expect(201);
    expect(joined.body.role).toBe('company_user');
  });

  it('lets an invite give a role a person may not pick for themselves', async () => {
    const made = await invite(t, admin, { role: 'beta_player' }).expect(201);
    expect((await register(t, { ...person(), invite: made.body.token }).expect(201)).body.role).toBe('beta_player');
  });

  it('expires: refused once INVITE_DAYS (7) have passed', async () => {
    const made = await invite(t, admin).expect(201);
    const short = await invite(t, admin, { expiresInDays: 1 }).expect(201);
    offsetMs = 2 * 86_400_000;
    expect((await register(t, { ...person(), invite: short.body.token }).expect(410)).body.code).toBe('LINK_INVALID');
    offsetMs = 8 * 86_400_000;
    await register(t, { ...person(), invite: made.body.token }).expect(410);
    const list = await request(t.app).get('/api/admin/invites').set(admin.auth).expect(200);
    expect(list.body.find((entry: { id: number }) => entry.id === made.body.id).state).toBe('expired');
  });

  it('is revoked by an admin; a used one stays (409); an unknown one is 404', async () => {
    const made = await invite(t, admin).expect(201);
    await request(t.app).delete(`/api/admin/invites/${made.body.id}`).set(admin.auth).expect(200);
    await register(t, { ...person(), invite: made.body.token }).expect(410);
    await request(t.app).delete(`/api/admin/invites/${made.body.id}`).set(admin.auth).expect(404);
    const used = await invite(t, admin).expect(201);
    await register(t, { ...person(), invite: used.body.token }).expect(201);
    await request(t.app).delete(`/api/admin/invites/${used.body.id}`).set(admin.auth).expect(409);
    const revoked = await t.db.auditEvent.count({ where: { action: 'invite.revoke', targetId: made.body.id } });
    expect(revoked).toBe(1);
  });

  it('is for admins only, and refuses bad input clearly', async () => {
    const subscriber = await createUser(t, 'subscriber');
    await invite(t, subscriber).expect(403);
    await request(t.app).get('/api/admin/invites').set(subscriber.auth).expect(403);
    await request(t.app).post('/api/admin/invites').send({}).expect(401);
    for (const body of [{ email: 'nope' }, { role: 'emperor' }, { expiresInDays: 0 }, { extra: 1 }]) {
      expect((await invite(t, admin, body).expect(400)).body.code).toBe('VALIDATION_FAILED');
    }
    expect((await register(t, { ...person(), invite: 'made-up' }).expect(410)).body.code).toBe('LINK_INVALID');
  });

  it('of 100 registrations at once with one invite, exactly one makes an account', async () => {
    const made = await invite(t, admin).expect(201);
    const users = await t.db.user.count();
    const replies = await Promise.all(
      Array.from({ length: 100 }, () => register(t, { ...person(), invite: made.body.token })),
    );
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    // The others: the invite is used (410), or, on a machine this busy, the database had no
    // transaction for them in time (503 with Retry-After): no account either way, never a 500.
    const others = replies.filter((reply) => reply.status !== 201);
    expect(others.filter((reply) => reply.status !== 410 && reply.status !== 503).map((r) => r.text)).toEqual([]);
    expect(others.filter((reply) => reply.status === 410).length).toBeGreaterThan(0);
    expect(await t.db.user.count()).toBe(users + 1);
    const row = await t.db.invite.findUniqueOrThrow({ where: { id: made.body.id } });
    expect(row.usedById).toBe(replies.find((reply) => reply.status === 201)!.body.id);
  });
});

describe('REGISTRATION_DOMAINS and DEFAULT_GALLERY_VISIBILITY', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REGISTRATION_DOMAINS: 'example.org, Example.NET', DEFAULT_GALLERY_VISIBILITY: 'private' });
  });
  afterAll(() => t.close());

  it('lets only addresses of the listed domains register', async () => {
    const refused = await register(t, person('someone@example.test')).expect(403);
    expect(refused.body.message).toMatch(/example\.org, example\.net only/);
    await register(t, person(`a${process.pid}@example.net`)).expect(201);
  });

  it('makes a gallery private unless its creator says otherwise, and tells the web app', async () => {
    const owner = await createUser(t, 'beta_player');
    const post = (body: Record<string, unknown>) =>
      request(t.app).post('/api/gallery/galleries').set(owner.auth).send(body).expect(201);
    expect((await post({ name: 'Quiet' })).body.visibility).toBe('private');
    expect((await post({ name: 'Loud', visibility: 'shared' })).body.visibility).toBe('shared');
    const settings = await request(t.app).get('/api/auth/settings').expect(200);
    expect(settings.body).toEqual({
      registration: 'open',
      passwordReset: false,
      defaultGalleryVisibility: 'private',
      sso: null,
    });
  });

  it('keeps shared as the default without the setting', async () => {
    const app = await startTestApp();
    try {
      const owner = await createUser(app, 'beta_player');
      const made = await request(app.app).post('/api/gallery/galleries').set(owner.auth).send({ name: 'Open' });
      expect(made.body.visibility).toBe('shared');
    } finally {
      await app.close();
    }
  });
});
