import { createHash } from 'node:crypto';
import request from 'supertest';

import { createLogger } from '../../src/shared/logger';
import { createUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { awayFromStepEdge, codeAt, enrol, forgetLastStep, login } from '../helpers/two-factor';

const logLines: string[] = [];
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(
    {},
    {
      wrap: (deps) => ({
        ...deps,
        logger: createLogger('debug', { write: (line: string) => void logLines.push(line) }),
      }),
    },
  );
});
afterAll(async () => {
  await t.close();
});

const status = (user: { auth: Record<string, string> }) =>
  request(t.app).get('/api/auth/2fa').set(user.auth).expect(200);
const begin = (user: { auth: Record<string, string>; password: string }, password: string | null = user.password) =>
  request(t.app)
    .post('/api/auth/2fa/enrol')
    .set(user.auth)
    .send(password === null ? {} : { password });

describe('enrolling in two-factor sign-in', () => {
  it('begins with a secret, its otpauth URI and a QR code, not in force until confirmed', async () => {
    const user = await createUser(t, 'subscriber');
    const begun = await begin(user).expect(200);
    expect(begun.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(begun.body.uri).toBe(
      `otpauth://totp/Gallery%20Server:${user.username}?issuer=Gallery%20Server&secret=${begun.body.secret}&algorithm=SHA1&digits=6&period=30`,
    );
    expect(begun.body.qrSvg).toMatch(/^<svg[^>]*>.*<\/svg>\s*$/s);
    expect(begun.headers['cache-control']).toBe('no-store');
    expect((await status(user)).body).toMatchObject({ enabled: false, pending: true, recoveryCodesLeft: 0 });
    await login(t, user).expect(200);
  });

  it('refuses a wrong code, then puts the secret in force with ten recovery codes, stored hashed', async () => {
    const user = await createUser(t, 'subscriber');
    const begun = await begin(user).expect(200);
    const secret = begun.body.secret as string;
    const wrong = await request(t.app).post('/api/auth/2fa/confirm').set(user.auth).send({ otp: '000000' });
    expect([wrong.status, wrong.body.code]).toEqual([401, 'OTP_INVALID']);
    expect((await status(user)).body.enabled).toBe(false);

    await awayFromStepEdge();
    const confirmed = await request(t.app)
      .post('/api/auth/2fa/confirm')
      .set(user.auth)
      .send({ otp: codeAt(secret) });
    expect(confirmed.status).toBe(200);
    const codes = confirmed.body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    const stored = await t.db.recoveryCode.findMany({ where: { userId: user.id } });
    expect(stored).toHaveLength(10);
    const sha256 = (code: string) => createHash('sha256').update(code.replaceAll('-', '')).digest('hex');
    expect(stored.map((row) => row.codeHash).sort()).toEqual(codes.map(sha256).sort());

    const now = (await status(user)).body;
    expect(now).toMatchObject({ enabled: true, pending: false, recoveryCodesLeft: 10 });
    expect(JSON.stringify(now)).not.toContain(secret);
    const again = await begin(user).expect(409);
    expect(JSON.stringify(again.body)).not.toContain(secret);
    // The code that confirmed cannot sign in.
    expect((await login(t, user, codeAt(secret)).expect(401)).body.code).toBe('OTP_INVALID');
  });

  it('begins only with the password: a session alone cannot put a factor on the account', async () => {
    const user = await createUser(t, 'subscriber');
    expect((await begin(user, null).expect(400)).body.code).toBe('VALIDATION_FAILED');
    const wrong = await begin(user, 'not the password').expect(400);
    expect(wrong.body.details).toEqual([{ path: 'password', message: 'The password is not correct.' }]);
    expect((await status(user)).body.pending).toBe(false);
    const failed = await t.db.auditEvent.count({ where: { action: '2fa.enrol', outcome: 'failed', actorId: user.id } });
    expect(failed).toBe(1);
  });

  it('refuses a confirmation before any enrolment began', async () => {
    const user = await createUser(t, 'subscriber');
    await request(t.app).post('/api/auth/2fa/confirm').set(user.auth).send({ otp: '123456' }).expect(409);
    await request(t.app).post('/api/auth/2fa/confirm').set(user.auth).send({}).expect(400);
  });
});

describe('signing in with a second factor', () => {
  it('answers OTP_REQUIRED without a code, issuing no token; then signs in with a valid code', async () => {
    const user = await createUser(t, 'subscriber');
    const { secret } = await enrol(t, user);
    const tokensBefore = await t.db.token.count({ where: { userId: user.id } });
    const missing = await login(t, user).expect(401);
    expect(missing.body).toEqual({ message: expect.stringContaining('second factor'), code: 'OTP_REQUIRED' });
    expect(await t.db.token.count({ where: { userId: user.id } })).toBe(tokensBefore);
    // A wrong password is still a wrong password, whatever the code.
    expect((await login(t, { ...user, password: 'wrong' }, codeAt(secret)).expect(401)).body.code).toBe(
      'INVALID_CREDENTIALS',
    );
    const ok = await login(t, user, codeAt(secret)).expect(200);
    await request(t.app).get('/api/auth/me').set('Authorization', `Token ${ok.body.token}`).expect(200);
  });

  it('refuses a wrong code, a reused code and a code of a past window', async () => {
    const user = await createUser(t, 'subscriber');
    const { secret } = await enrol(t, user);
    expect((await login(t, user, '123456').expect(401)).body.code).toBe('OTP_INVALID');
    expect((await login(t, user, codeAt(secret, -3)).expect(401)).body.code).toBe('OTP_INVALID');
    const code = codeAt(secret);
    await login(t, user, code).expect(200);
    expect((await login(t, user, code).expect(401)).body.code).toBe('OTP_INVALID');
    // An earlier step than the last one used is refused too, even inside the window.
    await login(t, user, codeAt(secret, 1)).expect(200);
    expect((await login(t, user, code).expect(401)).body.code).toBe('OTP_INVALID');
    const failed = await t.db.auditEvent.count({
      where: { action: 'login', outcome: 'failed', actorId: user.id, detail: 'wrong one-time code' },
    });
    expect(failed).toBe(4);
  });

  it('asks the browser sign-in and the token endpoint for the code too', async () => {
    const user = await createUser(t, 'subscriber');
    const { secret } = await enrol(t, user);
    const credentials = { username: user.username, password: user.password };
    const session = await request(t.app).post('/api/auth/session').send(credentials).expect(401);
    expect(session.body.code).toBe('OTP_REQUIRED');
    expect(session.headers['set-cookie']).toBeUndefined();
    expect((await request(t.app).post('/api/auth/token').send(credentials).expect(401)).body.code).toBe('OTP_REQUIRED');
    const signedIn = await request(t.app)
      .post('/api/auth/session')
      .send({ ...credentials, otp: codeAt(secret) })
      .expect(200);
    expect(String(signedIn.headers['set-cookie'])).toContain('gallery_session=');
    await request(t.app)
      .post('/api/auth/token')
      .send({ ...credentials, otp: codeAt(secret, 1) })
      .expect(200);
  });

  it('takes a recovery code once, whatever its case and dashes, and refuses a wrong one', async () => {
    const user = await createUser(t, 'subscriber');
    const { recoveryCodes } = await enrol(t, user);
    expect((await login(t, user, 'aaaa-bbbb-cccc').expect(401)).body.code).toBe('OTP_INVALID');
    await login(t, user, recoveryCodes[0].toUpperCase().replaceAll('-', '')).expect(200);
    expect((await login(t, user, recoveryCodes[0]).expect(401)).body.code).toBe('OTP_INVALID');
    expect((await status(user)).body.recoveryCodesLeft).toBe(9);
    const used = await t.db.auditEvent.findMany({ where: { action: '2fa.recovery_code_use', actorId: user.id } });
    expect(used.map((event) => event.detail)).toEqual(['left=9']);
  });

  it('keeps tokens made before and after enrolment working for scripts', async () => {
    const user = await createUser(t, 'beta_player');
    const before = await request(t.app).post('/api/auth/tokens').set(user.auth).send({ name: 'before' }).expect(201);
    await enrol(t, user);
    const after = await request(t.app).post('/api/auth/tokens').set(user.auth).send({ name: 'after' }).expect(201);
    for (const token of [user.token, before.body.token as string, after.body.token as string]) {
      await request(t.app).get('/api/gallery/galleries').set('Authorization', `Token ${token}`).expect(200);
      await request(t.app)
        .post('/api/gallery/galleries')
        .set('Authorization', `Token ${token}`)
        .send({ name: 'by script' })
        .expect(201);
    }
  });
});

describe('changes that need a code', () => {
  const changePassword = (user: { auth: Record<string, string>; password: string }, otp?: string) =>
    request(t.app).post('/api/auth/password').set(user.auth).send({
      currentPassword: user.password,
      newPassword: 'a new long passphrase',
      newPassword2: 'a new long passphrase',
      otp,
    });

  it('changes the password only with a valid code', async () => {
    const user = await createUser(t, 'subscriber');
    const { secret } = await enrol(t, user);
    expect((await changePassword(user).expect(401)).body.code).toBe('OTP_REQUIRED');
    expect((await changePassword(user, '000000').expect(401)).body.code).toBe('OTP_INVALID');
    await login(t, user, codeAt(secret)).expect(200);
    await changePassword(user, codeAt(secret, 1)).expect(200);
    await forgetLastStep(t, user.id);
    await login(t, { ...user, password: 'a new long passphrase' }, codeAt(secret)).expect(200);
  });

  it('makes new recovery codes for a code: the old ones stop working', async () => {
    const user = await createUser(t, 'subscriber');
    const { secret, recoveryCodes } = await enrol(t, user);
    const path = '/api/auth/2fa/recovery-codes';
    expect((await request(t.app).post(path).set(user.auth).send({ otp: '999999' }).expect(401)).body.code).toBe(
      'OTP_INVALID',
    );
    await request(t.app).post(path).set(user.auth).send({}).expect(400);
    const fresh = await request(t.app)
      .post(path)
      .set(user.auth)
      .send({ otp: codeAt(secret) })
      .expect(200);
    expect(fresh.body.recoveryCodes).toHaveLength(10);
    expect((await login(t, user, recoveryCodes[1]).expect(401)).body.code).toBe('OTP_INVALID');
    await login(t, user, (fresh.body.recoveryCodes as string[])[0]).expect(200);
  });

  it('turns it off only with the password and a code', async () => {
    const user = await createUser(t, 'subscriber');
    const { secret, recoveryCodes } = await enrol(t, user);
    const disable = (body: object) => request(t.app).post('/api/auth/2fa/disable').set(user.auth).send(body);
    expect((await disable({ otp: codeAt(secret) }).expect(400)).body.code).toBe('VALIDATION_FAILED');
    const wrongPassword = await disable({ password: 'not it', otp: codeAt(secret) }).expect(400);
    expect(wrongPassword.body.details).toEqual([{ path: 'password', message: 'The password is not correct.' }]);
    expect((await disable({ password: user.password }).expect(400)).body.code).toBe('VALIDATION_FAILED');
    expect((await disable({ password: user.password, otp: '111111' }).expect(401)).body.code).toBe('OTP_INVALID');
    expect((await status(user)).body.enabled).toBe(true);
    await disable({ password: user.password, otp: recoveryCodes[2] }).expect(200);
    expect((await status(user)).body).toMatchObject({ enabled: false, pending: false, recoveryCodesLeft: 0 });
    expect(await t.db.recoveryCode.count({ where: { userId: user.id } })).toBe(0);
    await login(t, user).expect(200);
    await disable({ password: user.password, otp: codeAt(secret) }).expect(409);
    const events = await t.db.auditEvent.findMany({ where: { actorId: user.id, action: { startsWith: '2fa.' } } });
    expect(events.map((e) => `${e.action} ${e.outcome}`).sort()).toEqual([
      '2fa.disable failed',
      '2fa.disable failed',
      '2fa.disable ok',
      '2fa.enrol ok',
      '2fa.recovery_code_use ok',
    ]);
  });
});

describe('the secret', () => {
  it('is never written to the log', async () => {
    const user = await createUser(t, 'subscriber');
    const { secret } = await enrol(t, user);
    await login(t, user, codeAt(secret)).expect(200);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(secret);
  });
});
