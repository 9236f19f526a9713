import { createHash } from 'node:crypto';
import request from 'supertest';

import { loadConfig } from '../../src/shared/config';
import { createUser, type TestUser } from '../helpers/factories';
import { startSmtpServer, type SmtpServer } from '../helpers/smtp';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Password reset by email, against a real SMTP server started here: the message as it arrives, the
 * link's token followed from it; the same reply for any address; single use, 30 minutes (the app's
 * clock moved on), every session ended; throttles; 100 resets at once with one link.
 */

const PUBLIC_URL = 'https://photos.example.test';
const LINK = /https:\/\/photos\.example\.test\/reset-password#token=([A-Za-z0-9_-]{43})/;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let smtp: SmtpServer;
let t: TestApp;
let offsetMs = 0;

const mailEnv = () => ({ SMTP_URL: smtp.url, MAIL_FROM: 'Gallery <gallery@example.test>', PUBLIC_URL });
const forgot = (app: TestApp, email: string) => request(app.app).post('/api/auth/password/forgot').send({ email });
const reset = (token: string, password: string) =>
  request(t.app).post('/api/auth/password/reset').send({ token, password });
const login = (username: string, password: string) =>
  request(t.app).post('/api/auth/login').send({ username, password });

/** Asks for a link for the user and reads its token from the mail that arrives. */
async function linkFor(user: TestUser): Promise<string> {
  await forgot(t, user.email).expect(200);
  const mail = await smtp.next(user.email);
  const token = LINK.exec(mail.text)?.[1];
  if (!token) throw new Error(`no link in ${mail.text}`);
  return token;
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp(
    { ...mailEnv(), LOGIN_ADDRESS_MAX_FAILURES: '100000', LOGIN_MAX_FAILURES: '3' },
    { wrap: (deps) => ({ ...deps, clock: () => Date.now() + offsetMs }) },
  );
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});
afterEach(() => {
  offsetMs = 0;
});

describe('password reset by email', () => {
  it('mails a link whose token sets the password once and ends every session and token', async () => {
    const user = await createUser(t, 'subscriber');
    const personal = await request(t.app)
      .post('/api/auth/tokens')
      .set(user.auth)
      .send({ name: 'backup script' })
      .expect(201);
    const reply = await forgot(t, user.email.toUpperCase()).expect(200);
    expect(reply.body.message).toMatch(/If an account has this address/);
    const mail = await smtp.next(user.email);
    expect(mail.from).toBe('gallery@example.test');
    expect(mail.subject).toBe('Reset your Gallery Server password');
    const token = LINK.exec(mail.text)![1];
    expect(mail.text).toMatch(/30 minutes/);

    // Stored only hashed: the row holds the token's sha256, never the token.
    const rows = await t.db.passwordReset.findMany({ where: { userId: user.id } });
    expect(rows.map((row) => row.tokenHash)).toEqual([sha256(token)]);

    const done = await reset(token, 'a brand new passphrase').expect(200);
    expect(done.body.message).toMatch(/every session and token/);
    await request(t.app).get('/api/auth/me').set(user.auth).expect(401);
    await request(t.app).get('/api/auth/me').set('Authorization', `Token ${personal.body.token}`).expect(401);
    await login(user.username, user.password).expect(401);
    await login(user.username, 'a brand new passphrase').expect(200);

    const again = await reset(token, 'yet another passphrase').expect(410);
    expect(again.body).toEqual({
      code: 'LINK_INVALID',
      message: expect.stringMatching(/unknown, already used or expired/),
    });
    await login(user.username, 'a brand new passphrase').expect(200);

    const events = await t.db.auditEvent.findMany({ where: { targetType: 'user', targetId: user.id } });
    expect(events.map((event) => `${event.action}:${event.outcome}`)).toEqual(
      expect.arrayContaining(['password.reset_request:ok', 'password.reset:ok', 'password.reset:failed']),
    );
  });

  it('answers an unknown address exactly as a known one, and sends and stores nothing for it', async () => {
    const user = await createUser(t, 'subscriber');
    const known = await forgot(t, user.email).expect(200);
    const unknown = await forgot(t, 'nobody-here@example.test').expect(200);
    expect(unknown.body).toEqual(known.body);
    expect(Object.keys(unknown.headers).sort()).toEqual(Object.keys(known.headers).sort());
    await t.app.locals.mailSettled();
    await smtp.next(user.email);
    expect(smtp.received.filter((mail) => mail.to.includes('nobody-here@example.test'))).toEqual([]);
    const resets = await t.db.passwordReset.count();
    await forgot(t, 'nobody-either@example.test').expect(200);
    await t.app.locals.mailSettled();
    expect(await t.db.passwordReset.count()).toBe(resets);
  });

  it('sends nothing for an inactive account', async () => {
    const user = await createUser(t, 'subscriber', { isActive: false });
    await forgot(t, user.email).expect(200);
    await t.app.locals.mailSettled();
    expect(smtp.received.filter((mail) => mail.to.includes(user.email.toLowerCase()))).toEqual([]);
    expect(await t.db.passwordReset.count({ where: { userId: user.id } })).toBe(0);
  });

  it('works for 30 minutes: at 29 the link sets the password, at 31 it is refused', async () => {
    const early = await createUser(t, 'subscriber');
    const late = await createUser(t, 'subscriber');
    const earlyToken = await linkFor(early);
    const lateToken = await linkFor(late);
    offsetMs = 29 * 60_000;
    await reset(earlyToken, 'in time passphrase').expect(200);
    offsetMs = 31 * 60_000;
    const expired = await reset(lateToken, 'too late passphrase').expect(410);
    expect(expired.body.code).toBe('LINK_INVALID');
    await login(late.username, late.password).expect(200);
  });

  it('applies the rules of registration to the new password, without using up the link', async () => {
    const user = await createUser(t, 'subscriber');
    const token = await linkFor(user);
    for (const password of ['short', 'password123', user.username.toUpperCase()]) {
      const refused = await reset(token, password).expect(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
    }
    await reset(token, 'finally a good one').expect(200);
  });

  it('refuses a made-up token and bad input with clear errors', async () => {
    expect((await reset('A'.repeat(43), 'a fine passphrase').expect(410)).body.code).toBe('LINK_INVALID');
    expect((await reset('not a token', 'a fine passphrase').expect(410)).body.code).toBe('LINK_INVALID');
    await request(t.app).post('/api/auth/password/reset').send({ password: 'a fine passphrase' }).expect(400);
    expect((await forgot(t, 'not an address').expect(400)).body.code).toBe('VALIDATION_FAILED');
  });

  it('a newer link does not end an older one, but a reset ends them all', async () => {
    const user = await createUser(t, 'subscriber');
    const first = await linkFor(user);
    const second = await linkFor(user);
    await reset(second, 'the second link wins').expect(200);
    await reset(first, 'the first link is dead').expect(410);
  });

  it('of 100 resets at once with one link, exactly one succeeds', async () => {
    const user = await createUser(t, 'subscriber');
    const token = await linkFor(user);
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => reset(token, `parallel passphrase ${i}`)));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    // The others: the link is used (410), or, on a machine this busy, the database had no
    // transaction for them in time (503 with Retry-After): the password is the winner's either way.
    expect(replies.filter((r) => r.status !== 200 && r.status !== 410 && r.status !== 503).map((r) => r.text)).toEqual(
      [],
    );
    expect(statuses.filter((s) => s === 410).length).toBeGreaterThan(0);
    const winner = statuses.indexOf(200);
    await login(user.username, `parallel passphrase ${winner}`).expect(200);
    const events = await t.db.auditEvent.count({
      where: { action: 'password.reset', outcome: 'ok', targetId: user.id },
    });
    expect(events).toBe(1);
  });

  it('throttles requests per address asked for (whether or not it has an account)', async () => {
    const user = await createUser(t, 'subscriber');
    for (let i = 0; i < 3; i++) await forgot(t, user.email).expect(200);
    const refused = await forgot(t, user.email).expect(429);
    expect(refused.headers['retry-after']).toBeDefined();
    for (let i = 0; i < 3; i++) await forgot(t, 'ghost@example.test').expect(200);
    await forgot(t, 'ghost@example.test').expect(429);
    await forgot(t, `other-${user.email}`).expect(200);
    await t.app.locals.mailSettled();
  });
});

describe('password reset throttled per client', () => {
  it('counts requests from one client across addresses', async () => {
    const app = await startTestApp({ ...mailEnv(), LOGIN_ADDRESS_MAX_FAILURES: '3' });
    try {
      for (let i = 0; i < 3; i++) await forgot(app, `someone${i}@example.test`).expect(200);
      expect((await forgot(app, 'someone9@example.test').expect(429)).body.code).toBe('TOO_MANY_REQUESTS');
      await app.app.locals.mailSettled();
    } finally {
      await app.close();
    }
  });
});

describe('without a mail server', () => {
  it('answers 501 with a clear error, and the settings say reset is off', async () => {
    const app = await startTestApp();
    try {
      const refused = await forgot(app, 'someone@example.test').expect(501);
      expect(refused.body).toEqual({ code: 'NOT_CONFIGURED', message: expect.stringMatching(/not set up/) });
      const settings = await request(app.app).get('/api/auth/settings').expect(200);
      expect(settings.body).toEqual({
        registration: 'open',
        passwordReset: false,
        defaultGalleryVisibility: 'shared',
        sso: null,
      });
    } finally {
      await app.close();
    }
  });

  it('refuses mail settings without PUBLIC_URL or a sender at start', () => {
    expect(() => loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'a@b.test' })).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ SMTP_HOST: 'mail.example.test', PUBLIC_URL })).toThrow(/MAIL_FROM/);
    expect(() => loadConfig({ SMTP_HOST: 'mail.example.test', SMTP_URL: 'smtp://x', PUBLIC_URL })).toThrow(/SMTP_URL/);
  });
});

describe('the reply does not wait for the account', () => {
  it('answers before the account is looked up, however long the lookup takes; the mail comes after', async () => {
    const LOOKUP_MS = 1500;
    // The app's database with a slow lookup of accounts by email (the one the reset does).
    const slowLookups = (db: TestApp['db']) =>
      new Proxy(db, {
        get(target, property, receiver) {
          if (property !== 'user') return Reflect.get(target, property, receiver) as unknown;
          return new Proxy(target.user, {
            get(users, name, usersReceiver) {
              const value = Reflect.get(users, name, usersReceiver) as unknown;
              if (name !== 'findUnique' || typeof value !== 'function') return value;
              return async (args: { where: Record<string, unknown> }) => {
                if ('emailLower' in args.where) await new Promise((done) => setTimeout(done, LOOKUP_MS));
                return (value as (a: unknown) => Promise<unknown>).call(users, args);
              };
            },
          });
        },
      });
    const app = await startTestApp(mailEnv(), { wrap: (deps) => ({ ...deps, db: slowLookups(deps.db) }) });
    try {
      const user = await createUser(app, 'subscriber');
      const started = Date.now();
      await forgot(app, user.email).expect(200);
      expect(Date.now() - started).toBeLessThan(LOOKUP_MS);
      const mail = await smtp.next(user.email);
      expect(Date.now() - started).toBeGreaterThanOrEqual(LOOKUP_MS);
      expect(mail.text).toMatch(LINK);
    } finally {
      await app.app.locals.mailSettled();
      await app.close();
    }
  });
});
