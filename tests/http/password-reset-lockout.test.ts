import request from 'supertest';

import { createUser, type TestUser } from '../helpers/factories';
import { startSmtpServer, type SmtpServer } from '../helpers/smtp';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * A password reset ends the account's failed-password lock: the owner proved control of the
 * email, so the new password works at once. The client address's count is left as it is, and a
 * refused reset link lifts nothing. Against a real SMTP server, the link read from the message.
 */

const PUBLIC_URL = 'https://photos.example.test';
const LINK = /https:\/\/photos\.example\.test\/reset-password#token=([A-Za-z0-9_-]{43})/;

let smtp: SmtpServer;
let t: TestApp;

const from = (ip: string) => ({ 'X-Forwarded-For': ip });
const login = (username: string, password: string, ip: string) =>
  request(t.app).post('/api/auth/login').set(from(ip)).send({ username, password });
const reset = (token: string, password: string, ip: string) =>
  request(t.app).post('/api/auth/password/reset').set(from(ip)).send({ token, password });

/** Asks for a link for the user (from `ip`) and reads its token from the mail that arrives. */
async function linkFor(user: TestUser, ip: string): Promise<string> {
  await request(t.app).post('/api/auth/password/forgot').set(from(ip)).send({ email: user.email }).expect(200);
  const mail = await smtp.next(user.email);
  const token = LINK.exec(mail.text)?.[1];
  if (!token) throw new Error(`no link in ${mail.text}`);
  return token;
}

/** Locks the account with wrong passwords from `ip`, and shows that even the right one is refused. */
async function lockOut(user: TestUser, ip: string) {
  for (let i = 0; i < 3; i++) await login(user.username, 'not the password', ip).expect(401);
  const locked = await login(user.username, user.password, ip).expect(429);
  expect(locked.body.code).toBe('TOO_MANY_REQUESTS');
}

const row = (key: string) => t.db.attemptThrottle.findUnique({ where: { key } });

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Gallery <gallery@example.test>',
    PUBLIC_URL,
    TRUST_PROXY: 'true',
    LOGIN_MAX_FAILURES: '3',
    LOGIN_ADDRESS_MAX_FAILURES: '6',
    LOGIN_LOCK_SECONDS: '900',
  });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

describe('a password reset and the login lock', () => {
  it('lifts the account lock: the new password signs in at once, from any address', async () => {
    const user = await createUser(t, 'subscriber');
    await lockOut(user, '198.51.100.1');
    expect((await row(`user:${user.username.toLowerCase()}`))?.lockedUntil).toBeGreaterThan(BigInt(Date.now()));

    const token = await linkFor(user, '198.51.100.2');
    await reset(token, 'a fresh long passphrase', '198.51.100.2').expect(200);

    expect(await row(`user:${user.username.toLowerCase()}`)).toBeNull();
    await login(user.username, 'a fresh long passphrase', '198.51.100.1').expect(200);
    await login(user.username, user.password, '198.51.100.3').expect(401);
  });

  it('keeps the lock when the reset link is refused', async () => {
    const user = await createUser(t, 'subscriber');
    await lockOut(user, '198.51.100.10');
    await reset('A'.repeat(43), 'a fresh long passphrase', '198.51.100.11').expect(410);
    await login(user.username, user.password, '198.51.100.12').expect(429);
  });

  it('keeps a client address locked after a reset done from it', async () => {
    const user = await createUser(t, 'subscriber');
    const guesser = '198.51.100.20';
    // Six failures from one address, over other names: the address is locked, the account is not.
    for (let i = 0; i < 6; i++) await login(`nobody-${i}`, 'guess', guesser).expect(401);
    await login(user.username, user.password, guesser).expect(429);
    const before = await row(`ip:${guesser}`);
    expect(before?.lockedUntil).toBeGreaterThan(BigInt(Date.now()));

    const token = await linkFor(user, '198.51.100.21');
    await reset(token, 'another fresh passphrase', guesser).expect(429);
    await reset(token, 'another fresh passphrase', '198.51.100.21').expect(200);

    expect((await row(`ip:${guesser}`))?.lockedUntil).toBe(before?.lockedUntil);
    await login(user.username, 'another fresh passphrase', guesser).expect(429);
    await login(user.username, 'another fresh passphrase', '198.51.100.22').expect(200);
  });

  it('counts afresh after the reset: of 100 wrong passwords at once, at most the limit are compared', async () => {
    const user = await createUser(t, 'subscriber');
    await lockOut(user, '198.51.100.40');
    const token = await linkFor(user, '198.51.100.41');
    await reset(token, 'counted afresh passphrase', '198.51.100.41').expect(200);
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => login(user.username, 'still wrong', `203.0.113.${i + 1}`)),
    );
    expect(replies.filter((reply) => reply.status === 401).length).toBe(3);
    expect(replies.filter((reply) => reply.status === 429).length).toBe(97);
    await login(user.username, 'counted afresh passphrase', '198.51.100.42').expect(429);
  });

  it('lifts only the lock of the account whose password was reset', async () => {
    const owner = await createUser(t, 'subscriber');
    const other = await createUser(t, 'subscriber');
    await lockOut(owner, '198.51.100.30');
    await lockOut(other, '198.51.100.31');
    const token = await linkFor(owner, '198.51.100.32');
    await reset(token, 'owner passphrase again', '198.51.100.32').expect(200);
    await login(owner.username, 'owner passphrase again', '198.51.100.33').expect(200);
    await login(other.username, other.password, '198.51.100.33').expect(429);
  });
});
