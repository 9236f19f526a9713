import type { Database } from '../../platform/db/client';
import type { Actor } from '../../shared/actor';
import { AppError, conflict, notFound } from '../../shared/errors';
import type { AuditLog } from '../audit';
import { addressKey, type AttemptThrottle } from './attempt-throttle';
import {
  hashRecoveryCode,
  looksLikeTotp,
  newRecoveryCodes,
  newTotpSecret,
  totpDigits,
  totpStepOf,
} from './one-time-codes';
import type { PasswordCheck } from './password-check';
import * as repo from './two-factor.repository';

type TwoFactorDeps = {
  db: Database;
  audit: AuditLog;
  throttle: AttemptThrottle;
  /** The name authenticator apps show beside the account: PUBLIC_URL's host, or "Gallery Server". */
  issuer: string;
  checkPassword: PasswordCheck;
};

/** Who is signing in or changing something: `enrolled` when their second factor is in force. */
export type SecondFactorOf = { id: number; username: string; enrolled: boolean };

type Enrolled = { id: number; username: string; totpSecret: string };

const OFF = 'Two-factor sign-in is not on for this account.';

/** Codes are attempts at a secret of their own (`otp:user:<id>`), throttled as passwords are, and per address. */
const codeKeys = (userId: number, address: string | null) => ({
  secret: `otp:user:${userId}`,
  address: addressKey(address),
});

/**
 * Two-factor sign-in with TOTP (part of the auth service): enrolment (a secret, confirmed by a
 * code), ten single-use recovery codes, turning it off, an admin's reset, and the check that a
 * sign-in, a password change and the changes here demand of an enrolled account. A code is
 * accepted once: a TOTP code's time step is taken by one conditional UPDATE (later than every step
 * taken before), a recovery code is used by one (not used before), so that of parallel requests
 * with one code at most one passes. The secret leaves this feature once, in the reply that begins
 * an enrolment.
 */
export function createTwoFactor({ db, audit, throttle, issuer, checkPassword }: TwoFactorDeps) {
  const userEvent = (action: string, user: { id: number; username: string }, address: string | null) => ({
    action,
    actor: user,
    target: { type: 'user', id: user.id },
    address,
  });

  /** True when `code` is a TOTP code not used before or an unused recovery code, which it then uses up. */
  async function accept(user: Enrolled, code: string, address: string | null): Promise<boolean> {
    if (looksLikeTotp(code)) {
      const step = totpStepOf(user.totpSecret, totpDigits(code), Date.now());
      if (step === null) return false;
      return (await repo.takeStep(db, user.id, user.totpSecret, step)).count === 1;
    }
    const used = await audit.withEvent(
      async (tx) => {
        const { count } = await repo.useRecoveryCode(tx, user.id, hashRecoveryCode(code), new Date());
        return { count, left: count ? await repo.countUnusedRecoveryCodes(tx, user.id) : 0 };
      },
      ({ count, left }) =>
        count ? { ...userEvent('2fa.recovery_code_use', user, address), detail: `left=${left}` } : [],
    );
    return used.count === 1;
  }

  /** Checks a code, throttled; a wrong one is 401 OTP_INVALID and the `action`'s failure in the audit log. */
  async function verify(user: Enrolled, code: string, address: string | null, action: string) {
    const attempt = await throttle.reserve(codeKeys(user.id, address));
    const right = await accept(user, code, address).catch(async (error: unknown) => {
      await attempt.failed();
      throw error;
    });
    if (!right) {
      await attempt.failed();
      await audit.record({ ...userEvent(action, user, address), outcome: 'failed', detail: 'wrong one-time code' });
      throw new AppError('OTP_INVALID');
    }
    await attempt.succeeded({ clearSecret: true });
  }

  async function enrolled(userId: number): Promise<Enrolled | null> {
    const row = await repo.findTwoFactor(db, userId);
    return row?.totpSecret && row.totpEnabledAt
      ? { id: row.id, username: row.username, totpSecret: row.totpSecret }
      : null;
  }

  /**
   * What a sign-in or a change demands of an account whose second factor is in force: a valid
   * code in `otp` (401 OTP_REQUIRED without one, OTP_INVALID for a wrong one). Nothing for others.
   */
  async function demand(user: SecondFactorOf, otp: string | undefined, address: string | null, action: string) {
    if (!user.enrolled) return;
    if (!otp) throw new AppError('OTP_REQUIRED');
    const account = await enrolled(user.id);
    if (!account) throw new AppError('OTP_INVALID');
    await verify(account, otp, address, action);
  }

  async function status(actor: Actor) {
    const row = await repo.findTwoFactor(db, actor.id);
    return {
      enabled: Boolean(row?.totpEnabledAt),
      enabledAt: row?.totpEnabledAt ?? null,
      pending: Boolean(row?.totpSecret && !row.totpEnabledAt),
      recoveryCodesLeft: row?.totpEnabledAt ? await repo.countUnusedRecoveryCodes(db, actor.id) : 0,
    };
  }

  /**
   * A new secret for the actor, not in force until `confirm`; 409 while one is. The password is
   * asked for first: whoever took over a session must not lock its owner out behind a factor of theirs.
   */
  async function begin(actor: Actor, password: string) {
    const row = await repo.findTwoFactor(db, actor.id);
    if (row?.totpEnabledAt) throw conflict('Two-factor sign-in is already on; turn it off first.');
    await checkPassword(actor, password, { action: '2fa.enrol', field: 'password' });
    const made = await newTotpSecret(issuer, actor.username);
    const { count } = await repo.setPendingSecret(db, actor.id, made.secret);
    if (count === 0) throw conflict('Two-factor sign-in is already on; turn it off first.');
    return made;
  }

  /** The first code from the app puts the secret in force; the reply's recovery codes are shown this once. */
  async function confirm(actor: Actor, otp: string) {
    const row = await repo.findTwoFactor(db, actor.id);
    if (row?.totpEnabledAt) throw conflict('Two-factor sign-in is already on.');
    if (!row?.totpSecret) throw conflict('Begin the enrolment first (POST /api/auth/2fa/enrol).');
    const secret = row.totpSecret;
    const attempt = await throttle.reserve(codeKeys(actor.id, actor.address));
    const step = looksLikeTotp(otp) ? totpStepOf(secret, totpDigits(otp), Date.now()) : null;
    if (step === null) {
      await attempt.failed();
      throw new AppError('OTP_INVALID');
    }
    await attempt.succeeded({ clearSecret: true });
    const codes = newRecoveryCodes();
    await audit.withEvent(
      async (tx) => {
        const { count } = await repo.enableSecret(tx, actor.id, secret, step, new Date());
        if (count === 0) throw conflict('The enrolment changed meanwhile; begin it again.');
        await repo.replaceRecoveryCodes(tx, actor.id, codes.map(hashRecoveryCode));
      },
      () => userEvent('2fa.enrol', actor, actor.address),
    );
    return codes;
  }

  /** New recovery codes (the old ones stop working), for a valid code. */
  async function regenerate(actor: Actor, otp: string) {
    const account = await enrolled(actor.id);
    if (!account) throw conflict(OFF);
    await verify(account, otp, actor.address, '2fa.recovery_codes');
    const codes = newRecoveryCodes();
    await audit.withEvent(
      (tx) => repo.replaceRecoveryCodes(tx, actor.id, codes.map(hashRecoveryCode)),
      () => userEvent('2fa.recovery_codes', actor, actor.address),
    );
    return codes;
  }

  /** Turns it off: needs the password and a code (or a recovery code). */
  async function disable(actor: Actor, password: string, otp: string) {
    const account = await enrolled(actor.id);
    if (!account) throw conflict(OFF);
    await checkPassword(actor, password, { action: '2fa.disable', field: 'password' });
    await verify(account, otp, actor.address, '2fa.disable');
    await audit.withEvent(
      (tx) => repo.clearTwoFactor(tx, actor.id),
      () => userEvent('2fa.disable', actor, actor.address),
    );
  }

  /**
   * An admin turns a user's second factor off (a lost phone and no recovery code left), and removes
   * their passkeys (a lost device is often both); whether it was on, and how many passkeys went.
   */
  async function reset(admin: Actor, userId: number) {
    const row = await repo.findTwoFactor(db, userId);
    if (!row) throw notFound('User not found');
    const wasOn = Boolean(row.totpEnabledAt);
    const passkeysRemoved = await audit.withEvent(
      async (tx) => {
        await repo.clearTwoFactor(tx, userId);
        return (await tx.passkey.deleteMany({ where: { userId } })).count;
      },
      (removed) => [
        {
          ...userEvent('2fa.reset', admin, admin.address),
          target: { type: 'user', id: userId },
          detail: wasOn ? 'was on' : 'was off',
        },
        ...(removed
          ? [
              {
                ...userEvent('passkey.remove', admin, admin.address),
                target: { type: 'user', id: userId },
                detail: `all ${removed} (admin reset)`,
              },
            ]
          : []),
      ],
    );
    return { wasOn, passkeysRemoved };
  }

  return { demand, status, begin, confirm, regenerate, disable, reset };
}

export type TwoFactor = ReturnType<typeof createTwoFactor>;
