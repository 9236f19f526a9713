import request from 'supertest';

import { createUser, type TestUser } from '../helpers/factories';
import { createResponse, getResponse, newSoftPasskey, type SoftPasskey } from '../helpers/soft-authenticator';
import { startTestApp, type TestApp } from '../helpers/test-app';

const ORIGIN = 'https://photos.example.test';
const RP_ID = 'photos.example.test';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ PUBLIC_URL: ORIGIN });
});
afterAll(async () => {
  await t.close();
});

const where = (challenge: string) => ({ challenge, origin: ORIGIN, rpId: RP_ID });

async function registrationChallenge(user: TestUser): Promise<string> {
  const res = await request(t.app)
    .post('/api/auth/passkeys/register/options')
    .set(user.auth)
    .send({ password: user.password })
    .expect(200);
  return res.body.options.challenge as string;
}

/** A passkey added to the account through the API, as a browser would. */
async function addPasskey(user: TestUser, name = 'Laptop', key: SoftPasskey = newSoftPasskey()) {
  const challenge = await registrationChallenge(user);
  const res = await request(t.app)
    .post('/api/auth/passkeys')
    .set(user.auth)
    .send({ name, response: createResponse(key, where(challenge)) })
    .expect(201);
  key.userHandle = Buffer.from(`user:${user.id}`).toString('base64url');
  return { key, passkey: res.body.passkey as { id: number; name: string } };
}

async function loginChallenge(): Promise<string> {
  const res = await request(t.app).post('/api/auth/passkeys/login/options').send({}).expect(200);
  return res.body.options.challenge as string;
}

const events = (action: string, userId: number) =>
  t.db.auditEvent.findMany({ where: { action, actorId: userId }, orderBy: { id: 'asc' } });

describe('adding a passkey', () => {
  it('needs a sign-in and the password, and gives options for a discoverable credential with user verification', async () => {
    const user = await createUser(t, 'subscriber');
    await request(t.app).post('/api/auth/passkeys/register/options').send({ password: 'x' }).expect(401);
    const wrong = await request(t.app)
      .post('/api/auth/passkeys/register/options')
      .set(user.auth)
      .send({ password: 'not-it' })
      .expect(400);
    expect(wrong.body.details).toEqual([{ path: 'password', message: 'The password is not correct.' }]);
    const res = await request(t.app)
      .post('/api/auth/passkeys/register/options')
      .set(user.auth)
      .send({ password: user.password })
      .expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.options).toMatchObject({
      rp: { id: RP_ID, name: 'Gallery Server' },
      user: { name: user.username },
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      attestation: 'none',
    });
  });

  it('keeps the passkey, lists, renames and removes it, each in the audit log', async () => {
    const user = await createUser(t, 'subscriber');
    const { passkey } = await addPasskey(user, '  Phone  ');
    expect(passkey).toMatchObject({ name: 'Phone' });
    const listed = await request(t.app).get('/api/auth/passkeys').set(user.auth).expect(200);
    expect(listed.body).toMatchObject({
      limit: 10,
      passkeys: [{ id: passkey.id, name: 'Phone', transports: ['internal'] }],
    });
    const renamed = await request(t.app)
      .patch(`/api/auth/passkeys/${passkey.id}`)
      .set(user.auth)
      .send({ name: 'Work phone' })
      .expect(200);
    expect(renamed.body.passkey.name).toBe('Work phone');
    await request(t.app).delete(`/api/auth/passkeys/${passkey.id}`).set(user.auth).expect(200);
    expect((await request(t.app).get('/api/auth/passkeys').set(user.auth).expect(200)).body.passkeys).toEqual([]);
    expect((await events('passkey.add', user.id)).map((e) => e.targetId)).toEqual([passkey.id]);
    expect((await events('passkey.remove', user.id)).map((e) => e.targetId)).toEqual([passkey.id]);
  });

  it('refuses a bad, a replayed or another user’s challenge, a wrong origin and a missing user verification', async () => {
    const [user, other] = await Promise.all([createUser(t, 'subscriber'), createUser(t, 'subscriber')]);
    const key = newSoftPasskey();
    const send = (response: unknown, who = user) =>
      request(t.app).post('/api/auth/passkeys').set(who.auth).send({ name: 'Key', response });
    const unknown = await send(createResponse(key, where('bm90LWEtY2hhbGxlbmdl'))).expect(400);
    expect(unknown.body.details[0].message).toMatch(/unknown, already used or expired/);
    const othersChallenge = await registrationChallenge(other);
    await send(createResponse(key, where(othersChallenge))).expect(400);
    const challenge = await registrationChallenge(user);
    const badOrigin = await send(createResponse(key, { ...where(challenge), origin: 'https://evil.test' })).expect(400);
    expect(badOrigin.body.message).toMatch(/origin/i);
    await send(createResponse(key, where(challenge))).expect(400); // used up by the refused answer
    const noUv = await send(createResponse(key, where(await registrationChallenge(user)), 0x41)).expect(400);
    expect(noUv.body.message).toMatch(/verif/i);
    const wrongRp = await send(createResponse(key, { ...where(await registrationChallenge(user)), rpId: 'evil.test' }));
    expect(wrongRp.status).toBe(400);
    expect(await t.db.passkey.count({ where: { userId: user.id } })).toBe(0);
  });

  it('refuses an expired challenge', async () => {
    const user = await createUser(t, 'subscriber');
    const challenge = await registrationChallenge(user);
    await t.db.passkeyChallenge.updateMany({ where: { challenge }, data: { expiresAt: new Date(Date.now() - 1) } });
    await request(t.app)
      .post('/api/auth/passkeys')
      .set(user.auth)
      .send({ name: 'Key', response: createResponse(newSoftPasskey(), where(challenge)) })
      .expect(400);
  });

  it('refuses an eleventh passkey, at the options and at the answer', async () => {
    const user = await createUser(t, 'subscriber');
    const pending = await registrationChallenge(user);
    for (let i = 0; i < 10; i++) await addPasskey(user, `Key ${i}`);
    const options = await request(t.app)
      .post('/api/auth/passkeys/register/options')
      .set(user.auth)
      .send({ password: user.password })
      .expect(409);
    expect(options.body.message).toMatch(/at most 10/);
    await request(t.app)
      .post('/api/auth/passkeys')
      .set(user.auth)
      .send({ name: 'Eleventh', response: createResponse(newSoftPasskey(), where(pending)) })
      .expect(409);
    expect(await t.db.passkey.count({ where: { userId: user.id } })).toBe(10);
  });

  it('of 100 parallel answers to one challenge, keeps at most one', async () => {
    const user = await createUser(t, 'subscriber');
    const challenge = await registrationChallenge(user);
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        request(t.app)
          .post('/api/auth/passkeys')
          .set(user.auth)
          .send({ name: `Key ${i}`, response: createResponse(newSoftPasskey(), where(challenge)) }),
      ),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.every((r) => r.status === 201 || r.status === 400)).toBe(true);
    expect(await t.db.passkey.count({ where: { userId: user.id } })).toBe(1);
  });

  it('validates bodies with a 400 and JSON, never a 500', async () => {
    const user = await createUser(t, 'subscriber');
    const challenge = await registrationChallenge(user);
    const good = createResponse(newSoftPasskey(), where(challenge));
    const bodies: unknown[] = [
      {},
      { name: 'Key' },
      { name: '', response: good },
      { name: 'x'.repeat(65), response: good },
      { name: 'Bell\u0007', response: good },
      { name: 'Key', response: { ...good, type: 'other' } },
      { name: 'Key', response: { ...good, response: { ...good.response, attestationObject: '***' } } },
      { name: 'Key', response: { ...good, response: { clientDataJSON: good.response.clientDataJSON } } },
      { name: 'Key', response: good, extra: 1 },
      { name: 'Key', response: { ...good, response: { ...good.response, attestationObject: 'AAAA' } } },
      { name: 'Key', response: { ...good, response: { ...good.response, clientDataJSON: 'e30' } } },
    ];
    for (const body of bodies) {
      const res = await request(t.app)
        .post('/api/auth/passkeys')
        .set(user.auth)
        .send(body as object);
      expect([res.status, res.headers['content-type']]).toEqual([400, expect.stringMatching(/json/)]);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    const badName = await request(t.app).patch('/api/auth/passkeys/1').set(user.auth).send({ name: 7 });
    expect(badName.status).toBe(400);
    const badId = await request(t.app).patch('/api/auth/passkeys/abc').set(user.auth).send({ name: 'x' });
    expect([badId.status, badId.headers['content-type']]).toEqual([404, expect.stringMatching(/json/)]);
    const badSignIn = await request(t.app)
      .post('/api/auth/passkeys/session')
      .send({ response: { id: 'x' } });
    expect([badSignIn.status, badSignIn.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await t.db.passkey.count({ where: { userId: user.id } })).toBe(0);
  });

  it("renaming or removing another user's passkey is a 404, and changes nothing", async () => {
    const [user, other] = await Promise.all([createUser(t, 'subscriber'), createUser(t, 'subscriber')]);
    const { passkey } = await addPasskey(user, 'Mine');
    await request(t.app).patch(`/api/auth/passkeys/${passkey.id}`).set(other.auth).send({ name: 'Ours' }).expect(404);
    await request(t.app).delete(`/api/auth/passkeys/${passkey.id}`).set(other.auth).expect(404);
    expect(await t.db.passkey.findUnique({ where: { id: passkey.id } })).toMatchObject({ name: 'Mine' });
  });
});

describe('signing in with a passkey', () => {
  it('signs the browser in with the session cookie, without a one-time code, and gives scripts a token', async () => {
    const user = await createUser(t, 'subscriber');
    const { key, passkey } = await addPasskey(user);
    await t.db.user.update({
      where: { id: user.id },
      data: { totpSecret: 'JBSWY3DPEHPK3PXP', totpEnabledAt: new Date() },
    });
    const res = await request(t.app)
      .post('/api/auth/passkeys/session')
      .send({ response: getResponse(key, where(await loginChallenge())) })
      .expect(200);
    expect(res.body.user).toMatchObject({ id: user.id, username: user.username });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^gallery_session=[^;]+; .*HttpOnly; SameSite=Strict; Secure/);
    const me = await request(t.app).get('/api/auth/me').set('Cookie', cookie.split(';')[0]).expect(200);
    expect(me.body.username).toBe(user.username);

    const token = await request(t.app)
      .post('/api/auth/passkeys/login')
      .send({ response: getResponse(key, where(await loginChallenge())) })
      .expect(200);
    await request(t.app).get('/api/auth/me').set('Authorization', `Token ${token.body.token}`).expect(200);
    const row = await t.db.passkey.findUniqueOrThrow({ where: { id: passkey.id } });
    expect(row.lastUsedAt).not.toBeNull();
    expect(await events('passkey.login', user.id)).toHaveLength(2);
  });

  it('refuses a replayed challenge, an unknown or removed passkey, a wrong key and a cloned authenticator', async () => {
    const user = await createUser(t, 'subscriber');
    const key = newSoftPasskey();
    key.counter = 5;
    const { passkey } = await addPasskey(user, 'Key', key);
    const refused = async (response: unknown) => {
      const res = await request(t.app).post('/api/auth/passkeys/session').send({ response });
      expect([res.status, res.body.code, res.headers['set-cookie']]).toEqual([401, 'PASSKEY_INVALID', undefined]);
    };
    const challenge = await loginChallenge();
    const clone: SoftPasskey = { ...key };
    await request(t.app)
      .post('/api/auth/passkeys/session')
      .send({ response: getResponse(key, where(challenge)) })
      .expect(200);
    await refused(getResponse(key, where(challenge))); // the challenge again
    await refused(getResponse(clone, where(await loginChallenge()))); // the counter gone back
    await refused(getResponse(newSoftPasskey(), where(await loginChallenge()))); // unknown
    await refused(getResponse({ ...newSoftPasskey(), id: key.id }, where(await loginChallenge()))); // wrong key
    await refused(getResponse(key, { ...where(await loginChallenge()), origin: 'https://evil.test' }));
    await refused(getResponse(key, where('bm90LWEtY2hhbGxlbmdl')));
    await refused(getResponse(key, where(await loginChallenge()), 0x01)); // no user verification
    const foreign = { ...key, userHandle: Buffer.from('user:999999').toString('base64url') };
    await refused(getResponse(foreign, where(await loginChallenge())));
    await request(t.app)
      .post('/api/auth/passkeys/session')
      .send({ response: getResponse(key, where(await loginChallenge())) })
      .expect(200);
    await request(t.app).delete(`/api/auth/passkeys/${passkey.id}`).set(user.auth).expect(200);
    await refused(getResponse(key, where(await loginChallenge())));
    const failures = await t.db.auditEvent.findMany({ where: { action: 'passkey.login', outcome: 'failed' } });
    expect(failures.length).toBeGreaterThanOrEqual(9);
  });

  it('of 100 parallel sign-ins with one answer, lets one in', async () => {
    const user = await createUser(t, 'subscriber');
    const { key } = await addPasskey(user);
    const response = getResponse(key, where(await loginChallenge()));
    const replies = await Promise.all(
      Array.from({ length: 100 }, () => request(t.app).post('/api/auth/passkeys/login').send({ response })),
    );
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    // The others are refused, and past the throttle's limit of failures per address, held back.
    const codes = new Set(replies.filter((r) => r.status !== 200).map((r) => r.body.code));
    expect([...codes].sort()).toEqual(['PASSKEY_INVALID', 'TOO_MANY_REQUESTS']);
    const held = await request(t.app)
      .post('/api/auth/passkeys/login')
      .send({ response: getResponse(key, where(await loginChallenge())) });
    expect(held.status).toBe(429);
    await t.db.attemptThrottle.deleteMany({});
  });

  it('refuses a deactivated account', async () => {
    const user = await createUser(t, 'subscriber');
    const { key } = await addPasskey(user);
    await t.db.user.update({ where: { id: user.id }, data: { isActive: false } });
    const res = await request(t.app)
      .post('/api/auth/passkeys/login')
      .send({ response: getResponse(key, where(await loginChallenge())) });
    expect([res.status, res.body.code]).toEqual([401, 'PASSKEY_INVALID']);
  });

  it("an admin's two-factor reset removes the user's passkeys", async () => {
    const [user, admin] = await Promise.all([createUser(t, 'subscriber'), createUser(t, 'admin')]);
    const { key } = await addPasskey(user, 'Lost phone');
    await addPasskey(user, 'Lost laptop');
    const reset = await request(t.app).delete(`/api/admin/users/${user.id}/2fa`).set(admin.auth).expect(200);
    expect(reset.body).toMatchObject({ wasOn: false, passkeysRemoved: 2 });
    expect(await t.db.passkey.count({ where: { userId: user.id } })).toBe(0);
    await request(t.app)
      .post('/api/auth/passkeys/login')
      .send({ response: getResponse(key, where(await loginChallenge())) })
      .expect(401);
  });
});

describe('several server nodes', () => {
  it('take the answer on another node than the one that gave the challenge', async () => {
    const other = await startTestApp({ PUBLIC_URL: ORIGIN }, { sameDatabaseAs: t });
    try {
      const user = await createUser(t, 'subscriber');
      const key = newSoftPasskey();
      await request(other.app)
        .post('/api/auth/passkeys')
        .set(user.auth)
        .send({ name: 'Key', response: createResponse(key, where(await registrationChallenge(user))) })
        .expect(201);
      const challenge = await loginChallenge();
      await request(other.app)
        .post('/api/auth/passkeys/login')
        .send({ response: getResponse(key, where(challenge)) })
        .expect(200);
      const again = await request(t.app)
        .post('/api/auth/passkeys/login')
        .send({ response: getResponse(key, where(challenge)) });
      expect([again.status, again.body.code]).toEqual([401, 'PASSKEY_INVALID']);
    } finally {
      await other.close();
    }
  });
});

describe('the relying party', () => {
  it('asks for a passkey of this server, with user verification and no credentials named', async () => {
    const res = await request(t.app).post('/api/auth/passkeys/login/options').expect(200);
    expect(res.body.options).toMatchObject({ rpId: RP_ID, userVerification: 'required', timeout: 300_000 });
    expect(res.body.options.allowCredentials ?? []).toEqual([]);
    expect(res.body.options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a browser sign-in posted from another site', async () => {
    const res = await request(t.app)
      .post('/api/auth/passkeys/session')
      .set('Origin', 'https://evil.test')
      .send({ response: getResponse(newSoftPasskey(), where(await loginChallenge())) });
    expect([res.status, res.body.code]).toEqual([403, 'CSRF_REJECTED']);
  });

  it("without PUBLIC_URL, is the request's host name, and the answer must come from its origin", async () => {
    const plain = await startTestApp();
    try {
      const user = await createUser(plain, 'subscriber');
      const host = 'photos.lan:8080';
      const options = async () => {
        const res = await request(plain.app)
          .post('/api/auth/passkeys/register/options')
          .set('Host', host)
          .set(user.auth)
          .send({ password: user.password })
          .expect(200);
        expect(res.body.options.rp.id).toBe('photos.lan');
        return res.body.options.challenge as string;
      };
      const add = (origin: string, challenge: string) =>
        request(plain.app)
          .post('/api/auth/passkeys')
          .set('Host', host)
          .set(user.auth)
          .send({ name: 'Key', response: createResponse(newSoftPasskey(), { challenge, origin, rpId: 'photos.lan' }) });
      await add('http://other.lan:8080', await options()).expect(400);
      await add('http://photos.lan:8080', await options()).expect(201);
    } finally {
      await plain.close();
    }
  });
});
