import { Secret, TOTP } from 'otpauth';
import request from 'supertest';

import type { TestUser } from './factories';
import type { TestApp } from './test-app';

const PERIOD_MS = 30_000;

/** The code an authenticator app shows for `secret`, `steps` time steps from now (-1: the one before). */
export const codeAt = (secret: string, steps = 0) =>
  TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * PERIOD_MS });

/**
 * Waits, when the clock is within a few seconds of the next time step, until that step has begun:
 * a test's codes are then checked in the step they were computed in.
 */
export async function awayFromStepEdge(): Promise<void> {
  const into = Date.now() % PERIOD_MS;
  if (into < PERIOD_MS - 5000 && into > 500) return;
  const wait = into > 500 ? PERIOD_MS - into + 600 : 600 - into;
  await new Promise((done) => setTimeout(done, wait));
}

/**
 * Turns two-factor sign-in on for `user` through the API, confirmed with the code of the step
 * before the current one: the current step's code and the next one's are left for the test.
 */
export async function enrol(t: TestApp, user: TestUser) {
  await awayFromStepEdge();
  const begun = await request(t.app)
    .post('/api/auth/2fa/enrol')
    .set(user.auth)
    .send({ password: user.password })
    .expect(200);
  const secret = begun.body.secret as string;
  const confirmed = await request(t.app)
    .post('/api/auth/2fa/confirm')
    .set(user.auth)
    .send({ otp: codeAt(secret, -1) })
    .expect(200);
  return { secret, recoveryCodes: confirmed.body.recoveryCodes as string[] };
}

/** Lets the account use codes of the current step again (a test that is not about reuse needs more than two). */
export const forgetLastStep = (t: TestApp, userId: number) =>
  t.db.user.update({ where: { id: userId }, data: { totpLastStep: null } });

export const login = (t: TestApp, user: { username: string; password: string }, otp?: string) =>
  request(t.app)
    .post('/api/auth/login')
    .send({ username: user.username, password: user.password, ...(otp === undefined ? {} : { otp }) });
