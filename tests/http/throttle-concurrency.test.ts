import { createServer, type Server } from 'node:http';
import bcrypt from 'bcrypt';
import request from 'supertest';

import { createGallery, createImage, createUser, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

// The attacks of issue 18: bursts of parallel guesses used to be checked against the throttle
// before any of them was recorded, so that every one was compared. Each attempt is now counted
// before its comparison: with a limit of N, at most N guesses of a burst are compared (401, or 400
// for a current password) and the rest are refused without one (429). Every test picks an address
// of its own (TRUST_PROXY), as an attacker would use one. Passwords are hashed at the lowest cost
// allowed in production, so that a burst's comparisons overlap as they do there.
const LIMIT = 5;
const ADDRESS_LIMIT = 20;
const COST = 10;

let t: TestApp;
let server: Server;
beforeAll(async () => {
  t = await startTestApp({
    TRUST_PROXY: 'true',
    LOGIN_MAX_FAILURES: String(LIMIT),
    LOGIN_ADDRESS_MAX_FAILURES: String(ADDRESS_LIMIT),
    LOGIN_LOCK_SECONDS: '600',
    BCRYPT_COST: String(COST),
  });
  // One server for the whole file, so that a burst is that many connections to one process.
  server = createServer(t.app).listen(0);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

let addresses = 0;
const freshAddress = () => `10.18.${(addresses >> 8) & 255}.${++addresses & 255}`;

/** `count` requests sent at once; their replies in the order they were sent. */
function burst(count: number, send: (i: number) => request.Test): Promise<request.Response[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => send(i)));
}

/** How many replies had each status. */
function tally(replies: request.Response[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of replies) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/** A user (logged in by the factory) whose password is hashed at COST, for the bursts. */
async function createVictim(role: Parameters<typeof createUser>[1] = 'subscriber'): Promise<TestUser> {
  const user = await createUser(t, role);
  await t.db.user.update({ where: { id: user.id }, data: { passwordHash: await bcrypt.hash(user.password, COST) } });
  return user;
}

const login = (username: string, password: string, address: string, path = '/api/auth/login') =>
  request(server).post(path).set('X-Forwarded-For', address).send({ username, password });

const failedLogins = (user: TestUser) =>
  t.db.auditEvent.count({ where: { action: 'login', outcome: 'failed', detail: `username=${user.username}` } });

describe('a burst of wrong passwords for one account', () => {
  it('150 parallel wrong logins: LIMIT compared (401), the rest refused without a comparison (429)', async () => {
    const user = await createVictim();
    const replies = await burst(150, (i) => login(user.username, `wrong guess ${i}`, freshAddress()));
    expect(tally(replies)).toEqual({ 401: LIMIT, 429: 150 - LIMIT });
    for (const res of replies.filter((reply) => reply.status === 429))
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // A failure is audited after its comparison: only LIMIT comparisons ran.
    expect(await failedLogins(user)).toBe(LIMIT);
    await login(user.username, user.password, freshAddress()).expect(429);
  });

  it('the right password sent while the burst runs, once the limit is used, is refused (429), not let in', async () => {
    const user = await createVictim();
    const address = freshAddress();
    let limitUsed!: () => void;
    const used = new Promise<void>((resolve) => (limitUsed = resolve));
    let compared = 0;
    const wrong = burst(59, (i) =>
      login(user.username, `wrong guess ${i}`, address).expect((res) => {
        // A refusal means the account was locked then; LIMIT replies of 401, that LIMIT were taken.
        if (res.status === 429 || (res.status === 401 && ++compared === LIMIT)) limitUsed();
      }),
    );
    const right = Promise.race([used, wrong]).then(() => login(user.username, user.password, address));
    const [wrongReplies, rightReply] = await Promise.all([wrong, right]);
    expect(tally(wrongReplies)).toEqual({ 401: LIMIT, 429: 59 - LIMIT });
    expect(rightReply.status).toBe(429);
    expect(rightReply.body.code).toBe('TOO_MANY_REQUESTS');
  });

  it('counts /api/auth/login, /api/auth/token and /api/auth/session as one, under a burst over all three', async () => {
    const user = await createVictim();
    const paths = ['/api/auth/login', '/api/auth/token', '/api/auth/session'];
    const replies = await burst(150, (i) => login(user.username, `wrong guess ${i}`, freshAddress(), paths[i % 3]));
    expect(tally(replies)).toEqual({ 401: LIMIT, 429: 150 - LIMIT });
    for (const path of paths) await login(user.username, user.password, freshAddress(), path).expect(429);
  });
});

describe('a burst of browser sign-ins', () => {
  it('150 parallel wrong sign-ins: LIMIT compared, the rest 429; then the right password gets 429 and no cookie', async () => {
    const user = await createVictim();
    const address = freshAddress();
    const replies = await burst(150, (i) => login(user.username, `wrong guess ${i}`, address, '/api/auth/session'));
    expect(tally(replies)).toEqual({ 401: LIMIT, 429: 150 - LIMIT });
    const locked = await login(user.username, user.password, address, '/api/auth/session').expect(429);
    expect(locked.headers['set-cookie']).toBeUndefined();
  });
});

describe('a burst from one address', () => {
  it('150 parallel wrong logins for as many usernames: at most the address limit compared; then that address is locked', async () => {
    const address = freshAddress();
    const replies = await burst(150, (i) => login(`nobody-${addresses}-${i}`, 'wrong guess', address));
    expect(tally(replies)).toEqual({ 401: ADDRESS_LIMIT, 429: 150 - ADDRESS_LIMIT });
    const user = await createVictim();
    await login(user.username, user.password, address).expect(429);
    await login(user.username, user.password, freshAddress()).expect(200);
  });

  it('100 parallel registrations of a taken username: at most the address limit answered 409, the rest 429', async () => {
    const owner = await createUser(t, 'subscriber');
    const address = freshAddress();
    const replies = await burst(100, (i) =>
      request(server)
        .post('/api/auth/register')
        .set('X-Forwarded-For', address)
        .send({
          username: owner.username,
          email: `probe-${addresses}-${i}@example.test`,
          password: 'long enough pw',
          password2: 'long enough pw',
        }),
    );
    expect(tally(replies)).toEqual({ 409: ADDRESS_LIMIT, 429: 100 - ADDRESS_LIMIT });
  });
});

describe('right attempts give their slot back', () => {
  it('a good login among failures does not use up the limit, and clears the account count', async () => {
    const user = await createUser(t, 'subscriber');
    const address = freshAddress();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < LIMIT - 1; i++) await login(user.username, `wrong guess ${i}`, address).expect(401);
      await login(user.username, user.password, address).expect(200);
    }
    for (let i = 0; i < 3 * LIMIT; i++) await login(user.username, user.password, freshAddress()).expect(200);
  });

  it('logins of many accounts from one address count only their failures against it', async () => {
    const address = freshAddress();
    const users: TestUser[] = [];
    for (let i = 0; i < ADDRESS_LIMIT + 5; i++) users.push(await createUser(t, 'subscriber'));
    for (let i = 0; i < ADDRESS_LIMIT - 1; i++)
      await login(`nobody-${addresses}-${i}`, 'wrong guess', address).expect(401);
    // Each of these takes the address's last slot (which locks it while the password is compared)
    // and gives it back, lock included, once the password was right.
    for (const user of users) await login(user.username, user.password, address).expect(200);
    await login(`nobody-${addresses}-last`, 'wrong guess', address).expect(401);
    await login(users[0].username, users[0].password, address).expect(429);
  });
});

describe('a share link with a password', () => {
  const password = 'open sesame 18';
  let owner: TestUser;
  let galleryId: number;
  let imageId: number;
  beforeAll(async () => {
    owner = await createUser(t, 'beta_player');
    galleryId = (await createGallery(t, owner)).id;
    imageId = (await createImage(t, owner, galleryId)).id;
  });

  async function newLink(): Promise<{ id: number; key: string }> {
    const res = await request(server)
      .post(`/api/gallery/galleries/${galleryId}/links/`)
      .set(owner.auth)
      .send({ password });
    expect(res.status).toBe(201);
    return res.body;
  }

  const page = (app: Server, key: string, guess: string | undefined, address: string) => {
    const req = request(app).get(`/api/share/${key}`).set('X-Forwarded-For', address);
    return guess === undefined ? req : req.set('X-Share-Password', guess);
  };

  it('120 parallel wrong passwords from as many addresses: LIMIT compared (401), the rest 429; then the right one gets 429', async () => {
    const link = await newLink();
    const replies = await burst(120, (i) => page(server, link.key, `wrong guess ${i}`, freshAddress()));
    expect(tally(replies)).toEqual({ 401: LIMIT, 429: 120 - LIMIT });
    const locked = await page(server, link.key, password, freshAddress()).expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await t.db.shareLink.findUniqueOrThrow({ where: { id: link.id } })).views).toBe(0);
  });

  it('100 parallel wrong keys from one address: at most the address limit answered 404, the rest 429', async () => {
    const link = await newLink();
    const address = freshAddress();
    const replies = await burst(100, (i) => page(server, `share_${String(i).padStart(32, 'x')}`, undefined, address));
    expect(tally(replies)).toEqual({ 404: ADDRESS_LIMIT, 429: 100 - ADDRESS_LIMIT });
    await page(server, link.key, password, address).expect(429);
  });

  it("a page's files asked for at once from another server process: one comparison for all, none refused", async () => {
    const link = await newLink();
    const address = freshAddress();
    await page(server, link.key, password, address).expect(200);
    const other = await startTestApp({ TRUST_PROXY: 'true', LOGIN_MAX_FAILURES: String(LIMIT) }, { sameDatabaseAs: t });
    try {
      const replies = await burst(30, () =>
        request(other.app)
          .get(`/api/share/${link.key}/images/${imageId}/file?size=thumb`)
          .set('X-Forwarded-For', address)
          .set('X-Share-Password', password),
      );
      expect(tally(replies)).toEqual({ 200: 30 });
    } finally {
      await other.close();
    }
  });
});

describe('the current password before a change', () => {
  const change = (user: TestUser, currentPassword: string) =>
    request(server)
      .post('/api/auth/password')
      .set(user.auth)
      .send({ currentPassword, newPassword: 'a brand new secret', newPassword2: 'a brand new secret' });
  const failedChecks = (user: TestUser) =>
    t.db.auditEvent.count({ where: { action: 'password.change', outcome: 'failed', actorId: user.id } });

  it('30 wrong guesses one after another, then the right one: 429, and the password stays', async () => {
    const user = await createVictim();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await change(user, `wrong guess ${i}`)).status);
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(400), ...Array<number>(30 - LIMIT).fill(429)]);
    const locked = await change(user, user.password).expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(await failedChecks(user)).toBe(LIMIT);
    // The same secret as the login's: one count for both ways of guessing it.
    await login(user.username, user.password, freshAddress()).expect(429);
    expect(await t.db.auditEvent.count({ where: { action: 'password.change', outcome: 'ok', actorId: user.id } })).toBe(
      0,
    );
  });

  it('120 parallel wrong guesses: LIMIT compared (400), the rest 429', async () => {
    const user = await createVictim();
    const replies = await burst(120, (i) => change(user, `wrong guess ${i}`));
    expect(tally(replies)).toEqual({ 400: LIMIT, 429: 120 - LIMIT });
    expect(await failedChecks(user)).toBe(LIMIT);
    await change(user, user.password).expect(429);
  });

  it('a right current password clears the count, as a login does', async () => {
    const user = await createUser(t, 'subscriber');
    for (let i = 0; i < LIMIT - 1; i++) await change(user, `wrong guess ${i}`).expect(400);
    await change(user, user.password).expect(200);
    for (let i = 0; i < LIMIT - 1; i++) await change(user, `wrong again ${i}`).expect(400);
    await change(user, 'a brand new secret').expect(200);
  });
});
