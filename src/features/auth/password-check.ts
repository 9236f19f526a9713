import bcrypt from 'bcrypt';

import type { Actor } from '../../shared/actor';
import { AppError } from '../../shared/errors';
import type { AuditLog } from '../audit';
import type { Accounts } from '../users';
import { accountKey, type AttemptThrottle } from './attempt-throttle';

type PasswordCheckDeps = { throttle: AttemptThrottle; audit: AuditLog; accounts: Accounts };

/**
 * A signed-in user proving again that they know their password, before a change that needs it (a
 * new password, turning two-factor sign-in off). Whoever holds a session or a token could
 * otherwise guess the password at will and take the account over, so each check is an attempt at
 * the account's password, counted under the very key of failed logins (`user:<name>`): it is the
 * same secret, and one budget of guesses per window covers every way of trying it. Past the limit:
 * 429, even when right. A wrong password is a 400 on `field`, and the `action`'s failure in the
 * audit log. Returns the account as read (with its second factor's state).
 */
export function createPasswordCheck({ throttle, audit, accounts }: PasswordCheckDeps) {
  return async function checkPassword(actor: Actor, password: string, refusal: { action: string; field: string }) {
    const attempt = await throttle.reserve({ secret: accountKey(actor.username) });
    const user = await accounts.findWithPassword(actor.username);
    if (!user || !(await bcrypt.compare(password, user.passwordHash))) {
      await attempt.failed();
      await audit.record({
        action: refusal.action,
        outcome: 'failed',
        actor,
        target: { type: 'user', id: actor.id },
        address: actor.address,
      });
      const message =
        refusal.field === 'currentPassword' ? 'The current password is not correct.' : 'The password is not correct.';
      throw new AppError('VALIDATION_FAILED', `${refusal.field}: ${message}`, {
        details: [{ path: refusal.field, message }],
      });
    }
    await attempt.succeeded({ clearSecret: true });
    return user;
  };
}

export type PasswordCheck = ReturnType<typeof createPasswordCheck>;
