import request from 'supertest';

import { createUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { codeAt, enrol, login } from '../helpers/two-factor';

describe('one code, many requests at once', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Limits high enough that every request reaches the code's check: the check itself is on trial.
    t = await startTestApp({ LOGIN_MAX_FAILURES: '1000', LOGIN_ADDRESS_MAX_FAILURES: '100000' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('lets one of 100 parallel sign-ins with one valid code in, and refuses the 99 others', async () => {
    const user = await createUser(t, 'subscriber');
    const { secret } = await enrol(t, user);
    const code = codeAt(secret);
    const replies = await Promise.all(Array.from({ length: 100 }, () => login(t, user, code)));
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 401 && r.body.code === 'OTP_INVALID')).toHaveLength(99);
    expect(await t.db.token.count({ where: { userId: user.id, kind: 'session' } })).toBe(2);
  });

  it('uses a recovery code once among 100 parallel sign-ins', async () => {
    const user = await createUser(t, 'subscriber');
    const { recoveryCodes } = await enrol(t, user);
    const replies = await Promise.all(Array.from({ length: 100 }, () => login(t, user, recoveryCodes[0])));
    expect(replies.filter((reply) => reply.status === 200)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 401 && r.body.code === 'OTP_INVALID')).toHaveLength(99);
    expect(await t.db.auditEvent.count({ where: { action: '2fa.recovery_code_use', actorId: user.id } })).toBe(1);
  });
});

describe('throttled guessing of codes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCK_SECONDS: '60' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('locks the codes of an account after the limit, refusing even a right code, with Retry-After', async () => {
    const user = await createUser(t, 'subscriber');
    const { secret } = await enrol(t, user);
    for (const wrong of ['000000', '111111', '222222']) await login(t, user, wrong).expect(401);
    const locked = await login(t, user, codeAt(secret)).expect(429);
    expect(locked.body.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(50);
    // The same budget for codes sent to the changes that need one.
    await request(t.app)
      .post('/api/auth/2fa/recovery-codes')
      .set(user.auth)
      .send({ otp: codeAt(secret) })
      .expect(429);
  });

  it('counts 100 parallel guesses at most up to the limit', async () => {
    const user = await createUser(t, 'subscriber');
    await enrol(t, user);
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => login(t, user, String(100000 + i))));
    const checked = replies.filter((reply) => reply.status === 401).length;
    expect(checked).toBeLessThanOrEqual(3);
    expect(replies.filter((reply) => reply.status === 429).length).toBeGreaterThanOrEqual(97);
  });
});

describe("an admin's reset", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('turns a user’s second factor off, is for admins only, and is audited', async () => {
    const [user, admin, other] = await Promise.all([
      createUser(t, 'subscriber'),
      createUser(t, 'admin'),
      createUser(t, 'beta_player'),
    ]);
    await enrol(t, user);
    await login(t, user).expect(401);
    const path = `/api/admin/users/${user.id}/2fa`;
    expect((await request(t.app).delete(path).set(other.auth).expect(403)).body.code).toBe('FORBIDDEN');
    await request(t.app).delete(path).expect(401);
    const reset = await request(t.app).delete(path).set(admin.auth).expect(200);
    expect(reset.body).toEqual({ message: 'Two-factor sign-in reset', wasOn: true, passkeysRemoved: 0 });
    await login(t, user).expect(200);
    expect(await t.db.recoveryCode.count({ where: { userId: user.id } })).toBe(0);
    const stored = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect([stored.totpSecret, stored.totpEnabledAt, stored.totpLastStep]).toEqual([null, null, null]);
    const events = await t.db.auditEvent.findMany({ where: { action: '2fa.reset' } });
    expect(events.map((e) => [e.actorId, e.targetType, e.targetId, e.detail])).toEqual([
      [admin.id, 'user', user.id, 'was on'],
    ]);
    expect((await request(t.app).delete(path).set(admin.auth).expect(200)).body.wasOn).toBe(false);
    await request(t.app).delete('/api/admin/users/999999/2fa').set(admin.auth).expect(404);
  });

  it('shows admins whether each user has it on: off, still off while enrolling, on, off after a reset', async () => {
    const [user, admin] = await Promise.all([createUser(t, 'subscriber'), createUser(t, 'admin')]);
    const listed = async () => {
      const list = await request(t.app).get('/api/admin/users?limit=100').set(admin.auth).expect(200);
      const one = await request(t.app).get(`/api/admin/users/${user.id}`).set(admin.auth).expect(200);
      const row = (list.body as { id: number; twoFactor: boolean }[]).find((u) => u.id === user.id);
      expect(row?.twoFactor).toBe(one.body.twoFactor);
      return { twoFactor: one.body.twoFactor, etag: one.headers.etag };
    };
    const off = await listed();
    expect(off.twoFactor).toBe(false);
    await request(t.app).post('/api/auth/2fa/enrol').set(user.auth).send({ password: user.password }).expect(200);
    expect((await listed()).twoFactor).toBe(false);

    await enrol(t, user);
    const on = await listed();
    expect(on.twoFactor).toBe(true);
    expect(on.etag).not.toBe(off.etag);
    const patched = await request(t.app).patch(`/api/admin/users/${user.id}`).set(admin.auth).send({ isActive: true });
    expect(patched.body).toMatchObject({ id: user.id, twoFactor: true });
    // Only admins see it: the account's own reply has no such field.
    expect((await request(t.app).get('/api/auth/me').set(user.auth).expect(200)).body).not.toHaveProperty('twoFactor');

    await request(t.app).delete(`/api/admin/users/${user.id}/2fa`).set(admin.auth).expect(200);
    expect((await listed()).twoFactor).toBe(false);
  });
});
