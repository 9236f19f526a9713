// Single sign-on with a real OpenID Provider (oidc-provider) started here, driven through HTTP as a
// browser would: the gallery's redirect, the provider's sign-in form, the callback.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import bcrypt from 'bcrypt';
import request from 'supertest';

import { createUser } from '../helpers/factories';
import { CLIENT_ID, CLIENT_SECRET, signInAtProvider, startProvider, type TestProvider } from '../helpers/oidc-provider';
import { startSmtpServer } from '../helpers/smtp';
import { startTestApp, type TestApp } from '../helpers/test-app';

const GALLERY = 'http://gallery.test';
const REDIRECT_URI = `${GALLERY}/api/auth/oidc/callback`;

let provider: TestProvider;
let t: TestApp;

const oidcEnv = (extra: Record<string, string> = {}) => ({
  PUBLIC_URL: GALLERY,
  OIDC_ISSUER: provider.issuer,
  OIDC_CLIENT_ID: CLIENT_ID,
  OIDC_CLIENT_SECRET: CLIENT_SECRET,
  OIDC_SCOPES: 'openid profile email groups',
  OIDC_DEFAULT_ROLE: 'company_user',
  OIDC_ROLE_MAP: 'photographers=beta_player, staff=company_user',
  OIDC_BUTTON_LABEL: 'Example SSO',
  // Registration is closed: single sign-on still makes accounts (the provider is the gate).
  REGISTRATION: 'closed',
  ...extra,
});

/** The value of a cookie the reply sets, or undefined. */
function cookieOf(res: request.Response, name: string): string | undefined {
  const lines = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const line = lines.find((candidate) => candidate.startsWith(`${name}=`));
  return line?.split(';')[0].slice(name.length + 1);
}

/** The gallery's way out: the provider's authorization URL and the transaction cookie. */
async function begin(app: TestApp, returnTo?: string) {
  const res = await request(app.app)
    .get('/api/auth/oidc/login')
    .query(returnTo === undefined ? {} : { returnTo })
    .expect(302);
  return { location: res.headers.location, transaction: cookieOf(res, 'gallery_oidc'), res };
}

/** The way back: the callback at `url` (as the provider sent it) with the transaction cookie. */
function finish(app: TestApp, url: string, transaction: string | undefined) {
  const { pathname, search } = new URL(url);
  const call = request(app.app).get(`${pathname}${search}`);
  return (transaction ? call.set('Cookie', `gallery_oidc=${transaction}`) : call).expect(302);
}

/** A whole sign-in of the provider's account `sub`: the callback's reply and the session cookie. */
async function signIn(app: TestApp, sub: string, returnTo?: string) {
  const { location, transaction } = await begin(app, returnTo);
  const back = await signInAtProvider(location, sub, GALLERY);
  const res = await finish(app, back, transaction);
  return { res, location: res.headers.location, session: cookieOf(res, 'gallery_session') };
}

const me = (app: TestApp, session: string) =>
  request(app.app).get('/api/auth/me').set('Cookie', `gallery_session=${session}`);

const events = (app: TestApp, action: string) =>
  app.db.auditEvent.findMany({ where: { action }, orderBy: { id: 'asc' } });

let sequence = 0;
/** A new account at the provider; its subject. */
function account(claims: Record<string, unknown>): string {
  const sub = `sub-${process.pid}-${++sequence}`;
  provider.setAccount(sub, { preferred_username: `sso_${sequence}`, ...claims });
  return sub;
}

beforeAll(async () => {
  provider = await startProvider({ redirectUri: REDIRECT_URI });
  t = await startTestApp(oidcEnv());
});
afterAll(async () => {
  await t?.close();
  await provider?.close();
});

describe('the way out to the provider', () => {
  it('redirects with the code flow, PKCE S256, state and nonce, and keeps them in a short-lived cookie', async () => {
    const { location, res } = await begin(t);
    const url = new URL(location);
    expect(url.origin).toBe(provider.issuer);
    const params = Object.fromEntries(url.searchParams);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email groups',
      code_challenge_method: 'S256',
    });
    expect(params.state).toMatch(/^[\w-]{43}$/);
    expect(params.nonce).toMatch(/^[\w-]{43}$/);
    expect(params.code_challenge).toMatch(/^[\w-]{43}$/);
    const cookie = ([] as string[]).concat(res.headers['set-cookie']).find((line) => line.startsWith('gallery_oidc='));
    expect(cookie).toMatch(/; Max-Age=600; Path=\/api\/auth\/oidc; HttpOnly; SameSite=Lax$/);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('marks its cookie Secure on a server behind https', async () => {
    const secure = await startTestApp(oidcEnv({ PUBLIC_URL: 'https://gallery.test' }));
    try {
      const { location, res } = await begin(secure);
      expect(new URL(location).searchParams.get('redirect_uri')).toBe('https://gallery.test/api/auth/oidc/callback');
      const cookie = ([] as string[])
        .concat(res.headers['set-cookie'])
        .find((line) => line.startsWith('gallery_oidc='));
      expect(cookie).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
    } finally {
      await secure.close();
    }
  });

  it('is documented in the OpenAPI document as two redirects', async () => {
    const document = (await request(t.app).get('/api/openapi.json').expect(200)).body;
    for (const path of ['/api/auth/oidc/login', '/api/auth/oidc/callback']) {
      const operation = document.paths[path].get;
      expect(operation.responses['302']).toMatchObject({
        description: 'Redirect',
        headers: { Location: expect.anything() },
      });
      expect(operation['x-permission']).toBe('public');
    }
    expect(document.paths['/api/auth/oidc/login'].get.parameters).toEqual([
      expect.objectContaining({ name: 'returnTo', in: 'query' }),
    ]);
  });

  it('is announced by the settings with its button label', async () => {
    const res = await request(t.app).get('/api/auth/settings').expect(200);
    expect(res.body.sso).toEqual({ label: 'Example SSO' });
  });

  it('answers 501 NOT_CONFIGURED on a server without OIDC_ISSUER, whose settings say so', async () => {
    const plain = await startTestApp();
    try {
      const res = await request(plain.app).get('/api/auth/oidc/login').expect(501);
      expect(res.body.code).toBe('NOT_CONFIGURED');
      await request(plain.app).get('/api/auth/oidc/callback?code=x&state=y').expect(501);
      expect((await request(plain.app).get('/api/auth/settings').expect(200)).body.sso).toBeNull();
    } finally {
      await plain.close();
    }
  });
});

describe('accounts', () => {
  it('makes the account at the first sign-in, with the default role, and signs the browser in', async () => {
    const sub = account({ email: 'first@example.test', email_verified: true });
    const { res, location, session } = await signIn(t, sub);
    expect(location).toBe(`${GALLERY}/`);
    expect(([] as string[]).concat(res.headers['set-cookie']).join('\n')).toMatch(/gallery_oidc=; Max-Age=0/);
    expect(([] as string[]).concat(res.headers['set-cookie']).join('\n')).toMatch(
      /gallery_session=[\w-]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict/,
    );
    const signedIn = await me(t, session!).expect(200);
    expect(signedIn.body).toMatchObject({
      username: `sso_${sequence}`,
      email: 'first@example.test',
      role: 'company_user',
    });
    const user = await t.db.user.findFirstOrThrow({ where: { id: signedIn.body.id }, include: { identities: true } });
    expect(user.passwordSignIn).toBe(false);
    expect(user.identities).toEqual([expect.objectContaining({ issuer: provider.issuer, subject: sub })]);
    // The same session as a password sign-in: a browser token in the session list.
    const tokens = await request(t.app).get('/api/auth/tokens').set('Cookie', `gallery_session=${session}`).expect(200);
    expect(tokens.body).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'browser', current: true })]));
    expect((await events(t, 'oidc.create')).at(-1)).toMatchObject({
      actorId: user.id,
      detail: expect.stringContaining('role=company_user'),
    });
    expect((await events(t, 'oidc.login')).at(-1)).toMatchObject({ actorId: user.id });
    const closed = await request(t.app)
      .post('/api/auth/register')
      .send({
        username: `closed${process.pid}`,
        email: `closed${process.pid}@example.test`,
        password: 'a long enough password',
        password2: 'a long enough password',
      });
    expect(closed.status).toBe(403);
  });

  it('asks no TOTP code of an account with two-factor sign-in: the provider is the factor', async () => {
    const sub = account({});
    const { id } = (await me(t, (await signIn(t, sub)).session!).expect(200)).body;
    await t.db.user.update({
      where: { id },
      data: { totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', totpEnabledAt: new Date() },
    });
    expect((await me(t, (await signIn(t, sub)).session!).expect(200)).body.id).toBe(id);
  });

  it('signs in to the same account the next time', async () => {
    const sub = account({});
    const first = await signIn(t, sub);
    const id = (await me(t, first.session!).expect(200)).body.id;
    const users = await t.db.user.count();
    const second = await signIn(t, sub);
    expect(second.session).not.toBe(first.session);
    expect((await me(t, second.session!).expect(200)).body.id).toBe(id);
    expect(await t.db.user.count()).toBe(users);
    expect((await events(t, 'oidc.create')).filter((event) => event.actorId === id)).toHaveLength(1);
    expect((await events(t, 'oidc.login')).filter((event) => event.actorId === id)).toHaveLength(2);
  });

  it('gives the role the claim maps to, and sets it again at each sign-in', async () => {
    const sub = account({ groups: ['everyone', 'photographers'] });
    const { session } = await signIn(t, sub);
    const made = (await me(t, session!).expect(200)).body;
    expect(made.role).toBe('beta_player');
    provider.setAccount(sub, { preferred_username: made.username, groups: ['staff'] });
    expect((await me(t, (await signIn(t, sub)).session!).expect(200)).body.role).toBe('company_user');
    const change = (await events(t, 'oidc.role')).at(-1);
    expect(change).toMatchObject({ actorId: made.id, detail: expect.stringContaining('beta_player->company_user') });
    // No value maps: the default role.
    provider.setAccount(sub, { preferred_username: made.username, groups: 'photographers' });
    expect((await me(t, (await signIn(t, sub)).session!).expect(200)).body.role).toBe('beta_player');
    provider.setAccount(sub, { preferred_username: made.username, groups: ['other'] });
    expect((await me(t, (await signIn(t, sub)).session!).expect(200)).body.role).toBe('company_user');
  });

  it('makes a username valid and free by the rules of registration', async () => {
    const taken = await createUser(t, 'subscriber', { username: `taken${process.pid}` });
    const sub = account({ preferred_username: taken.username.toUpperCase() });
    const { session } = await signIn(t, sub);
    expect((await me(t, session!).expect(200)).body.username).toBe(`${taken.username.toUpperCase()}-2`);
    const accented = account({ preferred_username: `Jörg Müller ${process.pid}!` });
    expect((await me(t, (await signIn(t, accented)).session!).expect(200)).body.username).toBe(
      `Jorg.Muller.${process.pid}`,
    );
  });

  it('refuses a sign-in without a usable username claim, with a clear page and no account', async () => {
    const sub = account({ preferred_username: '' });
    const users = await t.db.user.count();
    const { location, session } = await signIn(t, sub);
    expect(location).toBe(`${GALLERY}/signin?sso_error=SSO_NO_USERNAME`);
    expect(session).toBeUndefined();
    expect(await t.db.user.count()).toBe(users);
  });

  it('never signs in to an account that was deactivated', async () => {
    const sub = account({});
    const id = (await me(t, (await signIn(t, sub)).session!).expect(200)).body.id;
    await t.db.user.update({ where: { id }, data: { isActive: false } });
    const { location, session } = await signIn(t, sub);
    expect(location).toBe(`${GALLERY}/signin?sso_error=SSO_ACCOUNT_DISABLED`);
    expect(session).toBeUndefined();
  });
});

describe('several server nodes', () => {
  it('finish on one node a sign-in begun on another: the transaction is in the browser', async () => {
    const other = await startTestApp(oidcEnv(), { sameDatabaseAs: t });
    try {
      const sub = account({});
      const { location, transaction } = await begin(t);
      const res = await finish(other, await signInAtProvider(location, sub, GALLERY), transaction);
      expect(res.headers.location).toBe(`${GALLERY}/`);
      const session = cookieOf(res, 'gallery_session')!;
      expect((await me(t, session).expect(200)).body.username).toBe(`sso_${sequence}`);
    } finally {
      await other.close();
    }
  });
});

describe('many first sign-ins of one identity at once', () => {
  it('make exactly one account, and every one of them signs in to it', async () => {
    const sub = account({ email: `crowd-${process.pid}@example.test`, email_verified: true });
    const users = await t.db.user.count();
    const started = await Promise.all(Array.from({ length: 100 }, () => begin(t)));
    const backs = await Promise.all(started.map(({ location }) => signInAtProvider(location, sub, GALLERY)));
    const replies = await Promise.all(backs.map((back, i) => finish(t, back, started[i].transaction)));
    const sessions = replies.map((res) => cookieOf(res, 'gallery_session'));
    expect(sessions.filter(Boolean)).toHaveLength(100);
    expect(await t.db.user.count()).toBe(users + 1);
    const ids = new Set(
      await Promise.all(sessions.map(async (session) => (await me(t, session!).expect(200)).body.id)),
    );
    expect(ids.size).toBe(1);
    expect((await events(t, 'oidc.create')).filter((event) => ids.has(event.actorId!))).toHaveLength(1);
  });
});

describe('many first sign-ins of different identities with one username at once', () => {
  it('make one account each, with usernames of their own', async () => {
    const name = `crowded${process.pid}`;
    const subs = Array.from({ length: 20 }, () => account({ preferred_username: name }));
    const started = await Promise.all(subs.map(() => begin(t)));
    const backs = await Promise.all(started.map(({ location }, i) => signInAtProvider(location, subs[i], GALLERY)));
    const replies = await Promise.all(backs.map((back, i) => finish(t, back, started[i].transaction)));
    expect(replies.map((res) => res.headers.location)).toEqual(subs.map(() => `${GALLERY}/`));
    const usernames = await Promise.all(
      replies.map(async (res) => (await me(t, cookieOf(res, 'gallery_session')!).expect(200)).body.username),
    );
    expect(new Set(usernames).size).toBe(20);
    expect(usernames).toContain(name);
    for (const username of usernames) expect(username).toMatch(new RegExp(`^${name}(-\\d+)?$`));
  });
});

describe('linking to an existing account by email', () => {
  it('is off by default: an address of another account is refused, never linked', async () => {
    const existing = await createUser(t, 'subscriber');
    const sub = account({ email: existing.email, email_verified: true });
    const { location, session } = await signIn(t, sub);
    expect(location).toBe(`${GALLERY}/signin?sso_error=SSO_EMAIL_TAKEN`);
    expect(session).toBeUndefined();
    expect(await t.db.userIdentity.count({ where: { userId: existing.id } })).toBe(0);
  });

  it('with OIDC_LINK_BY_EMAIL, links by an address the provider verified, and only by such', async () => {
    const linking = await startTestApp(oidcEnv({ OIDC_LINK_BY_EMAIL: 'true' }));
    try {
      const existing = await createUser(linking, 'beta_player');
      const unverified = account({ email: existing.email.toUpperCase(), email_verified: false });
      expect((await signIn(linking, unverified)).location).toBe(`${GALLERY}/signin?sso_error=SSO_EMAIL_TAKEN`);
      const missing = account({ email: existing.email });
      expect((await signIn(linking, missing)).location).toBe(`${GALLERY}/signin?sso_error=SSO_EMAIL_TAKEN`);
      expect(await linking.db.userIdentity.count({ where: { userId: existing.id } })).toBe(0);

      const verified = account({
        email: existing.email.toUpperCase(),
        email_verified: true,
        groups: ['photographers'],
      });
      const { session } = await signIn(linking, verified);
      expect((await me(linking, session!).expect(200)).body).toMatchObject({ id: existing.id, role: 'beta_player' });
      expect((await events(linking, 'oidc.link')).at(-1)).toMatchObject({ actorId: existing.id });
      // A deactivated account is not linked.
      const inactive = await createUser(linking, 'subscriber', { isActive: false });
      const late = account({ email: inactive.email, email_verified: true });
      expect((await signIn(linking, late)).location).toBe(`${GALLERY}/signin?sso_error=SSO_ACCOUNT_DISABLED`);
      expect(await linking.db.userIdentity.count({ where: { userId: inactive.id } })).toBe(0);
      // A linked account keeps its password.
      await request(linking.app)
        .post('/api/auth/login')
        .send({ username: existing.username, password: existing.password })
        .expect(200);
    } finally {
      await linking.close();
    }
  });
});

describe('refusals on the way back', () => {
  it('refuses a tampered or missing state, and no session is made', async () => {
    const sub = account({});
    const { location, transaction } = await begin(t);
    const back = new URL(await signInAtProvider(location, sub, GALLERY));
    const tampered = new URL(back);
    tampered.searchParams.set('state', `${back.searchParams.get('state')}x`);
    let res = await finish(t, tampered.href, transaction);
    expect(res.headers.location).toBe(`${GALLERY}/signin?sso_error=SSO_STATE`);
    expect(cookieOf(res, 'gallery_session')).toBeUndefined();
    const missing = new URL(back);
    missing.searchParams.delete('state');
    res = await finish(t, missing.href, transaction);
    expect(res.headers.location).toBe(`${GALLERY}/signin?sso_error=SSO_STATE`);
    // Another browser (no transaction cookie) cannot finish it either.
    res = await finish(t, back.href, undefined);
    expect(res.headers.location).toBe(`${GALLERY}/signin?sso_error=SSO_EXPIRED`);
    expect(cookieOf(res, 'gallery_session')).toBeUndefined();
  });

  it("refuses an ID token of another sign-in's nonce, and a code without its PKCE verifier", async () => {
    const decode = (cookie: string | undefined) => JSON.parse(Buffer.from(cookie!, 'base64url').toString());
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const swapped of ['nonce', 'verifier'] as const) {
      const first = await begin(t);
      const other = decode((await begin(t)).transaction);
      const back = await signInAtProvider(first.location, account({}), GALLERY);
      // The first sign-in's transaction with the other's nonce, or the other's PKCE verifier.
      const transaction = encode({ ...decode(first.transaction), [swapped]: other[swapped] });
      const res = await finish(t, back, transaction);
      expect(res.headers.location).toBe(`${GALLERY}/signin?sso_error=SSO_FAILED`);
      expect(cookieOf(res, 'gallery_session')).toBeUndefined();
    }
  });

  it('refuses an expired transaction, and one whose cookie is not ours', async () => {
    const { location, transaction } = await begin(t);
    const back = await signInAtProvider(location, account({}), GALLERY);
    const old = JSON.parse(Buffer.from(transaction!, 'base64url').toString());
    const expired = Buffer.from(JSON.stringify({ ...old, expiresAt: Date.now() - 1000 })).toString('base64url');
    expect((await finish(t, back, expired)).headers.location).toBe(`${GALLERY}/signin?sso_error=SSO_EXPIRED`);
    expect((await finish(t, back, 'not-json')).headers.location).toBe(`${GALLERY}/signin?sso_error=SSO_EXPIRED`);
  });

  it('says so when the person cancels at the provider (error=access_denied)', async () => {
    const { transaction } = await begin(t);
    const { state } = JSON.parse(Buffer.from(transaction!, 'base64url').toString());
    const url = `${REDIRECT_URI}?error=access_denied&state=${state}&iss=${encodeURIComponent(provider.issuer)}`;
    const res = await finish(t, url, transaction);
    expect(res.headers.location).toBe(`${GALLERY}/signin?sso_error=SSO_DENIED`);
    expect(cookieOf(res, 'gallery_session')).toBeUndefined();
  });

  it('refuses a code once used (a replayed callback)', async () => {
    const { location, transaction } = await begin(t);
    const back = await signInAtProvider(location, account({}), GALLERY);
    expect(cookieOf(await finish(t, back, transaction), 'gallery_session')).toBeDefined();
    const again = await finish(t, back, transaction);
    expect(again.headers.location).toBe(`${GALLERY}/signin?sso_error=SSO_FAILED`);
    expect(cookieOf(again, 'gallery_session')).toBeUndefined();
  });
});

describe('the provider', () => {
  it('is refused when its metadata names another issuer (mix-up), and the server still serves', async () => {
    const mixed = await startTestApp(oidcEnv({ OIDC_ISSUER: `http://localhost:${provider.port}` }));
    try {
      const res = await request(mixed.app).get('/api/auth/oidc/login').expect(302);
      expect(res.headers.location).toBe(`${GALLERY}/signin?sso_error=SSO_ISSUER`);
      expect(cookieOf(res, 'gallery_oidc')).toBeUndefined();
    } finally {
      await mixed.close();
    }
  });

  it('is refused when the ID token, or the answer, comes from another issuer than the metadata says', async () => {
    // Metadata that names itself as the issuer but sends the browser to the real provider: its
    // ID tokens (and the iss of its answers) name the real provider, not this issuer.
    const metadata = (await (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    const impostor = createServer((_req, res) => {
      const { port } = impostor.address() as AddressInfo;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ...metadata, issuer: `http://127.0.0.1:${port}`, ...omitIss }));
    });
    let omitIss: Record<string, unknown> = {};
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    const { port } = impostor.address() as AddressInfo;
    const mixed = await startTestApp(oidcEnv({ OIDC_ISSUER: `http://127.0.0.1:${port}` }));
    try {
      // The answer's iss is the real provider's.
      const started = await begin(mixed);
      const back = await signInAtProvider(started.location, account({}), GALLERY);
      let res = await finish(mixed, back, started.transaction);
      expect(res.headers.location).toBe(`${GALLERY}/signin?sso_error=SSO_ISSUER`);
      expect(cookieOf(res, 'gallery_session')).toBeUndefined();
      // Without iss in the answer: the ID token's iss is checked.
      omitIss = { authorization_response_iss_parameter_supported: false };
      const again = await startTestApp(oidcEnv({ OIDC_ISSUER: `http://127.0.0.1:${port}` }));
      try {
        const second = await begin(again);
        const url = new URL(await signInAtProvider(second.location, account({}), GALLERY));
        url.searchParams.delete('iss');
        res = await finish(again, url.href, second.transaction);
        expect(res.headers.location).toBe(`${GALLERY}/signin?sso_error=SSO_ISSUER`);
        expect(cookieOf(res, 'gallery_session')).toBeUndefined();
      } finally {
        await again.close();
      }
    } finally {
      await mixed.close();
      impostor.close();
    }
  });

  it('may be down when the server starts; the sign-in says so, and works once it is back', async () => {
    const gone = await startProvider({ redirectUri: REDIRECT_URI });
    await gone.close();
    const app = await startTestApp(oidcEnv({ OIDC_ISSUER: gone.issuer }));
    let back: TestProvider | undefined;
    try {
      await request(app.app).get('/health').expect(200);
      const res = await request(app.app).get('/api/auth/oidc/login').expect(302);
      expect(res.headers.location).toBe(`${GALLERY}/signin?sso_error=SSO_UNAVAILABLE`);
      back = await startProvider({ redirectUri: REDIRECT_URI, port: gone.port });
      const again = await request(app.app).get('/api/auth/oidc/login').expect(302);
      expect(new URL(again.headers.location).origin).toBe(gone.issuer);
    } finally {
      await app.close();
      await back?.close();
    }
  });

  it('going down between the two legs ends on a clear page, not a stack', async () => {
    const brief = await startProvider({ redirectUri: REDIRECT_URI });
    const app = await startTestApp(oidcEnv({ OIDC_ISSUER: brief.issuer }));
    try {
      brief.setAccount('fleeting', { preferred_username: 'fleeting' });
      const { location, transaction } = await begin(app);
      const back = await signInAtProvider(location, 'fleeting', GALLERY);
      await brief.close();
      const res = await finish(app, back, transaction);
      expect(res.headers.location).toBe(`${GALLERY}/signin?sso_error=SSO_UNAVAILABLE`);
      expect(cookieOf(res, 'gallery_session')).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});

describe('where the browser goes afterwards', () => {
  it('returns to a path of the web app, and never to another site', async () => {
    const sub = account({});
    expect((await signIn(t, sub, '/galleries/5?sort=new#top')).location).toBe(`${GALLERY}/galleries/5?sort=new#top`);
    for (const evil of ['https://evil.example/x', '//evil.example/x', '/\\evil.example', '/api/auth/me', 'galleries']) {
      expect((await signIn(t, sub, evil)).location).toBe(`${GALLERY}/`);
    }
  });
});

describe('password sign-in of accounts made by single sign-on', () => {
  it('is refused with 403 PASSWORD_SIGN_IN_OFF when OIDC_PASSWORD_SIGN_IN is off, even with the right password', async () => {
    const sub = account({});
    const { username, id } = (await me(t, (await signIn(t, sub)).session!).expect(200)).body;
    await t.db.user.update({ where: { id }, data: { passwordHash: await bcrypt.hash('a known password', 4) } });
    const credentials = { username, password: 'a known password' };
    for (const path of ['/api/auth/login', '/api/auth/token', '/api/auth/session']) {
      const res = await request(t.app).post(path).send(credentials).expect(403);
      expect(res.body.code).toBe('PASSWORD_SIGN_IN_OFF');
    }
    const wrong = await request(t.app).post('/api/auth/login').send({ username, password: 'wrong' }).expect(403);
    expect(wrong.body.code).toBe('PASSWORD_SIGN_IN_OFF');
  });

  it('is allowed with OIDC_PASSWORD_SIGN_IN=true (the account has a password nobody knows until reset)', async () => {
    const allowing = await startTestApp(oidcEnv({ OIDC_PASSWORD_SIGN_IN: 'true' }));
    try {
      const { username, id } = (await me(allowing, (await signIn(allowing, account({}))).session!).expect(200)).body;
      expect((await allowing.db.user.findUniqueOrThrow({ where: { id } })).passwordSignIn).toBe(true);
      const res = await request(allowing.app).post('/api/auth/login').send({ username, password: 'guess' }).expect(401);
      expect(res.body.code).toBe('INVALID_CREDENTIALS');
    } finally {
      await allowing.close();
    }
  });
});

describe('a forgotten password of an account made by single sign-on', () => {
  it('sends no link while its password sign-in is off: a reset cannot turn it on', async () => {
    const smtp = await startSmtpServer();
    const mailing = await startTestApp(oidcEnv({ SMTP_URL: smtp.url, MAIL_FROM: 'Gallery <gallery@example.test>' }));
    try {
      const email = `forgetful-${process.pid}@example.test`;
      const { id } = (
        await me(mailing, (await signIn(mailing, account({ email, email_verified: true }))).session!).expect(200)
      ).body;
      const local = await createUser(mailing, 'subscriber');
      const known = await request(mailing.app)
        .post('/api/auth/password/forgot')
        .send({ email: local.email })
        .expect(200);
      const sso = await request(mailing.app).post('/api/auth/password/forgot').send({ email }).expect(200);
      expect(sso.body).toEqual(known.body);
      await mailing.app.locals.mailSettled();
      await smtp.next(local.email);
      expect(smtp.received.filter((mail) => mail.to.includes(email))).toEqual([]);
      expect(await mailing.db.passwordReset.count({ where: { userId: id } })).toBe(0);
      expect((await mailing.db.user.findUniqueOrThrow({ where: { id } })).passwordSignIn).toBe(false);
    } finally {
      await mailing.close();
      await smtp.close();
    }
  });
});
