import bcrypt from 'bcrypt';

import type { Database } from '../../platform/db/client';
import type { Mailer } from '../../platform/mail/mailer';
import { AppError, badRequest } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { AuditLog } from '../audit';
import { accountKey, addressKey, type AttemptThrottle } from './attempt-throttle';
import * as repo from './password-reset.repository';
import { generateToken, hashToken, looksLikeToken } from './tokens';

/** How long a reset link works. */
export const RESET_LINK_MS = 30 * 60_000;

export type PasswordResetDeps = {
  db: Database;
  audit: AuditLog;
  throttle: AttemptThrottle;
  /** Null: no mail server configured, the reset is off (501). */
  mailer: Mailer | null;
  logger: Logger;
  bcryptCost: number;
  /** The server's public URL: the link's origin, never the request's Host (which anyone can forge). */
  publicUrl?: string;
  clock: () => number;
  /** After a reset: this process forgets the account's cached tokens. */
  forgetUser: (userId: number) => void;
};

/** The requests per address (the email asked for) share one key, whether or not an account has it. */
const mailKey = (emailLower: string) => `reset:mail:${emailLower}`;

const invalidLink = () =>
  new AppError('LINK_INVALID', 'This password reset link is unknown, already used or expired. Ask for a new one.');

const message = (link: string) =>
  [
    'Someone (we hope you) asked to reset the password of your Gallery Server account.',
    '',
    `Open this link within 30 minutes to choose a new password (it works once):`,
    link,
    '',
    'Choosing a new password signs you out everywhere and revokes your access tokens.',
    'If you did not ask for this, ignore this message: your password stays as it is.',
  ].join('\n');

/**
 * Password reset by email. A request answers the same, after the same work, whatever the address:
 * the account is looked up, the link stored and the mail sent after the reply, so neither the
 * reply nor its timing tells whether an account has that address. The link carries a random token
 * stored only hashed; it works once, for 30 minutes, and using it ends every session.
 */
export function createPasswordReset(deps: PasswordResetDeps) {
  const { db, audit, throttle, mailer, logger } = deps;
  const pending = new Set<Promise<void>>();

  async function deliver(emailLower: string, token: string, address: string | null, mail: Mailer) {
    const user = await repo.findAccountByEmail(db, emailLower);
    if (!user || !user.isActive || !user.passwordSignIn) return;
    const expiresAt = new Date(deps.clock() + RESET_LINK_MS);
    await audit.withEvent(
      (tx) => repo.insertReset(tx, { userId: user.id, tokenHash: hashToken(token), expiresAt }),
      () => ({ action: 'password.reset_request', target: { type: 'user', id: user.id }, address }),
    );
    const link = `${deps.publicUrl}/reset-password#token=${token}`;
    await mail.send({ to: user.email, subject: 'Reset your Gallery Server password', text: message(link) });
  }

  /** Throttled per address asked for and per client; the work that depends on the account comes after the reply. */
  async function request(email: string, address: string | null): Promise<void> {
    if (!mailer) {
      throw new AppError(
        'NOT_CONFIGURED',
        'Password reset by email is not set up on this server (no mail server configured). Ask an admin.',
      );
    }
    const emailLower = email.toLowerCase();
    const attempt = await throttle.reserve({ secret: mailKey(emailLower), address: addressKey(address) });
    await attempt.failed(); // every request counts: a budget of mails per address and per client
    const token = generateToken();
    const job = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => deliver(emailLower, token, address, mailer))
      .catch((error: unknown) => logger.error('password reset mail not sent', { error: String(error) }))
      .finally(() => pending.delete(job));
    pending.add(job);
  }

  /**
   * Sets the password of the link's account (the same rules as at registration), ends all its
   * sessions and lifts the lock of its failed passwords.
   */
  async function reset(token: string, password: string, address: string | null): Promise<void> {
    const attempt = await throttle.reserve({ address: addressKey(address) });
    const now = new Date(deps.clock());
    const found = looksLikeToken(token) ? await repo.findReset(db, hashToken(token)) : null;
    const user = found?.user;
    if (!found || !user || found.usedAt || found.expiresAt <= now || !user.isActive || !user.passwordSignIn) {
      await attempt.failed();
      const target = user ? { target: { type: 'user', id: user.id } } : {};
      await audit.record({ action: 'password.reset', outcome: 'failed', ...target, address });
      throw invalidLink();
    }
    await attempt.succeeded();
    if (password.toLowerCase() === user.username.toLowerCase()) {
      const problem = 'The password must not be the same as the username.';
      throw badRequest(`password: ${problem}`, [{ path: 'password', message: problem }]);
    }
    const passwordHash = await bcrypt.hash(password, deps.bcryptCost);
    const done = await audit.withEvent(
      async (tx) => {
        if ((await repo.claimReset(tx, found.id, now)).count === 0) return false;
        await repo.setPassword(tx, user.id, passwordHash);
        await repo.retireResets(tx, user.id, now);
        await repo.revokeAllTokens(tx, user.id, now);
        return true;
      },
      (claimed) =>
        claimed ? [{ action: 'password.reset', actor: user, target: { type: 'user', id: user.id }, address }] : [],
    );
    if (!done) throw invalidLink();
    deps.forgetUser(user.id);
    // The owner proved control of the account's email: its failed passwords and their lock are
    // forgotten, so the new password works at once. The client address's count stays.
    await throttle.forgetSecret(accountKey(user.username));
  }

  return {
    /** Whether mail is set up (the web app shows "Forgot password?" only then). */
    enabled: mailer !== null,
    request,
    reset,
    /** Resolves when the mails asked for so far are sent (or failed): for a clean shutdown and tests. */
    settled: () => Promise.all([...pending]).then(() => undefined),
  };
}

export type PasswordReset = ReturnType<typeof createPasswordReset>;
