import request from 'supertest';

import { databaseAttemptStore, lockLength, type AttemptLimits } from '../../src/platform/db/attempt-counts';
import { createUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

const login = (t: TestApp, username: string, password: string, forwardedFor?: string) => {
  const req = request(t.app).post('/api/auth/login').send({ username, password });
  return forwardedFor ? req.set('X-Forwarded-For', forwardedFor) : req;
};

describe('failed-login throttling per account', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCK_SECONDS: '60' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('locks an account after the limit, refusing even the right password, with Retry-After', async () => {
    const user = await createUser(t, 'subscriber');
    for (let i = 0; i < 3; i++) await login(t, user.username, 'wrong-password').expect(401);
    const locked = await login(t, user.username, user.password).expect(429);
    expect(locked.body.code).toBe('TOO_MANY_REQUESTS');
    const seconds = Number(locked.headers['retry-after']);
    expect(seconds).toBeGreaterThan(50);
    expect(seconds).toBeLessThanOrEqual(60);
    await request(t.app).post('/api/auth/token').send({ username: user.username, password: user.password }).expect(429);
  });

  it('leaves other accounts alone', async () => {
    const victim = await createUser(t, 'subscriber');
    const bystander = await createUser(t, 'subscriber');
    for (let i = 0; i < 3; i++) await login(t, victim.username, 'wrong-password').expect(401);
    await login(t, victim.username, victim.password).expect(429);
    await login(t, bystander.username, bystander.password).expect(200);
  });

  it('counts the account whatever the case of the username', async () => {
    const user = await createUser(t, 'subscriber');
    await login(t, user.username.toUpperCase(), 'wrong-password').expect(401);
    await login(t, user.username, 'wrong-password').expect(401);
    await login(t, user.username.toUpperCase(), 'wrong-password').expect(401);
    await login(t, user.username, user.password).expect(429);
  });

  it('lets the right password in once the lock has passed, and starts counting afresh', async () => {
    const user = await createUser(t, 'subscriber');
    for (let i = 0; i < 3; i++) await login(t, user.username, 'wrong-password').expect(401);
    await login(t, user.username, user.password).expect(429);
    await t.db.attemptThrottle.update({
      where: { key: `user:${user.username.toLowerCase()}` },
      data: { lockedUntil: Date.now() - 1000 },
    });
    await login(t, user.username, user.password).expect(200);
    await login(t, user.username, 'wrong-password').expect(401);
    await login(t, user.username, user.password).expect(200);
  });
});

describe('failed-login throttling per client address', () => {
  it('counts failures across accounts from one address, whatever X-Forwarded-For says', async () => {
    const t = await startTestApp({ LOGIN_ADDRESS_MAX_FAILURES: '3' });
    try {
      const user = await createUser(t, 'subscriber');
      for (let i = 0; i < 3; i++) await login(t, `nobody${i}`, 'wrong-password', `10.0.0.${i}`).expect(401);
      const res = await login(t, user.username, user.password, '10.9.9.9').expect(429);
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await t.close();
    }
  });

  /**
   * Behind a trusted proxy: three failed logins, one from each of `failing` (X-Forwarded-For as
   * the proxy passes it), lock the right password from `locked` (429), not from `free` (200).
   */
  async function expectLockBehindProxy(failing: string[], locked: string, free: string) {
    const t = await startTestApp({ LOGIN_ADDRESS_MAX_FAILURES: '3', TRUST_PROXY: 'true' });
    try {
      const user = await createUser(t, 'subscriber');
      for (const [i, address] of failing.entries()) await login(t, `nobody${i}`, 'wrong-password', address).expect(401);
      await login(t, user.username, user.password, locked).expect(429);
      await login(t, user.username, user.password, free).expect(200);
    } finally {
      await t.close();
    }
  }

  it('believes X-Forwarded-For only behind a trusted proxy', () =>
    expectLockBehindProxy(['203.0.113.7', '203.0.113.7', '203.0.113.7'], '203.0.113.7', '198.51.100.2'));

  it('behind the proxy, believes only the address it added, not what the client put before it', () =>
    // nginx's $proxy_add_x_forwarded_for appends the client's address to whatever it sent.
    expectLockBehindProxy(
      ['10.0.0.0, 203.0.113.7', '10.0.0.1, 203.0.113.7', '10.0.0.2, 203.0.113.7'],
      '10.9.9.9, 203.0.113.7',
      '203.0.113.7, 198.51.100.2',
    ));

  it('counts every address of an IPv6 /64 network as one client', () =>
    // A fresh address of the same network for each guess, as a client given a /64 can.
    expectLockBehindProxy(
      ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2::3'],
      '2001:db8:1:2:abcd:ef01:2345:6789',
      '2001:db8:1:3::1',
    ));
});

describe('attempt counts in the database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const limits: AttemptLimits = { maxAttempts: 3, windowMs: 24 * 3_600_000, lockMs: 60_000, maxLockMs: 3_600_000 };
  const start = Date.parse('2026-01-01T00:00:00Z');
  let keys = 0;
  const newKey = () => `test:${++keys}`;

  it('locks at the limit, doubling the lock with each attempt past it, up to the maximum', async () => {
    const store = databaseAttemptStore(t.db);
    const key = newKey();
    const locks: number[] = [];
    let now = start;
    for (let i = 0; i < 10; i++) {
      expect(await store.reserve(key, limits, now, `attempt ${i}`)).not.toBeNull();
      const until = await store.lockedUntil([key]);
      locks.push(until === 0 ? 0 : until - now);
      // The next attempt comes when this lock has ended: until then, every one is refused.
      if (until > now) {
        expect(await store.reserve(key, limits, until - 1, 'refused')).toBeNull();
        now = until;
      }
    }
    expect(locks).toEqual([0, 0, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000]);
    expect(locks).toEqual(Array.from({ length: 10 }, (_, i) => lockLength(i + 1, limits)));
  });

  it('starts a new window once the old one has passed', async () => {
    const store = databaseAttemptStore(t.db);
    const key = newKey();
    const short = { ...limits, windowMs: 15 * 60_000 };
    await store.reserve(key, short, start, 'a');
    await store.reserve(key, short, start, 'b');
    const later = start + 16 * 60_000;
    expect(await store.reserve(key, short, later, 'c')).toEqual({ key, windowStart: later, attemptId: 'c' });
    expect(await t.db.attemptThrottle.findUniqueOrThrow({ where: { key } })).toMatchObject({
      attempts: 1,
      lockedUntil: 0n,
    });
  });

  it('gives a slot back, lifting the lock only when that attempt set it', async () => {
    const store = databaseAttemptStore(t.db);
    const key = newKey();
    const first = (await store.reserve(key, limits, start, 'first'))!;
    await store.reserve(key, limits, start, 'second');
    const third = (await store.reserve(key, limits, start, 'third'))!;
    expect(await store.lockedUntil([key])).toBe(start + 60_000);
    // The first attempt was right: the lock, set by the third, stays.
    await store.giveBack(first);
    expect(await store.lockedUntil([key])).toBe(start + 60_000);
    // The third was right too: its lock goes, and one more attempt may come.
    await store.giveBack(third);
    expect(await store.lockedUntil([key])).toBe(0);
    expect(await t.db.attemptThrottle.findUniqueOrThrow({ where: { key } })).toMatchObject({
      attempts: 1,
      lockedBy: null,
    });
    expect(await store.reserve(key, limits, start, 'fourth')).not.toBeNull();
  });
});

describe('registration probing', () => {
  it('throttles repeated conflicts from one address, and never locks the existing account', async () => {
    const t = await startTestApp({ LOGIN_ADDRESS_MAX_FAILURES: '3' });
    try {
      const owner = await createUser(t, 'subscriber');
      const probe = (i: number) =>
        request(t.app)
          .post('/api/auth/register')
          .send({
            username: owner.username,
            email: `probe${i}@example.test`,
            password: 'long enough pw',
            password2: 'long enough pw',
          });
      for (let i = 0; i < 3; i++) await probe(i).expect(409);
      const locked = await probe(9).expect(429);
      expect(locked.headers['retry-after']).toBeDefined();
      expect(await t.db.attemptThrottle.count({ where: { key: { startsWith: 'user:' } } })).toBe(0);
    } finally {
      await t.close();
    }
  });
});
