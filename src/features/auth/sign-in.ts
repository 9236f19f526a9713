import type { Actor } from '../../shared/actor';
import { AppError } from '../../shared/errors';
import type { RoleName } from '../../shared/permissions';
import type { AuditLog } from '../audit';
import { accountKey, addressKey, type AttemptThrottle } from './attempt-throttle';
import type { TwoFactor } from './two-factor.service';

/** `otp`: the code of an account with two-factor sign-in (a TOTP code or a recovery code). */
export type Credentials = { username: string; password: string; otp?: string };
/** `enrolled`: its second factor is in force, a sign-in needs a code too. */
export type AuthenticatedUser = { id: number; username: string; email: string; role: string | null; enrolled: boolean };
export type NewAccount = { username: string; email: string; password: string; role?: RoleName; invite?: string };

type SignInDeps<Account> = {
  throttle: AttemptThrottle;
  audit: AuditLog;
  twoFactor: TwoFactor;
  verifyCredentials: (credentials: Credentials) => Promise<AuthenticatedUser | null>;
  issueToken: (
    user: AuthenticatedUser,
    address: string | null,
    kind: 'session' | 'browser',
  ) => Promise<{ token: string; expiresAt: Date }>;
  resolveToken: (token: string, address: string | null) => Promise<Actor | null>;
  createAccount: (input: NewAccount, address: string | null) => Promise<Account>;
};

/**
 * The ways into an account that anyone may try (part of the auth service): a sign-in and a
 * registration, each an attempt counted by the throttle before anything secret is compared.
 * `address` is the client's: its throttle key, and the audit log's address.
 */
export function createSignIn<Account>({
  throttle,
  audit,
  twoFactor,
  verifyCredentials,
  issueToken,
  resolveToken,
  createAccount,
}: SignInDeps<Account>) {
  /**
   * Username and password, throttled per account and address: the attempt is counted before the
   * password is compared, and given back when it was right (the account's count is then cleared);
   * then a new token. A wrong password is a failed login in the audit log. An attempt that ends in
   * any other error stays counted. An account with two-factor sign-in needs its code as well
   * (401 OTP_REQUIRED, OTP_INVALID): a right password with a missing or wrong code gives its slot
   * back without forgiving the account's earlier failures; the code is an attempt of its own.
   */
  async function signIn(credentials: Credentials, address: string | null, kind: 'session' | 'browser' = 'session') {
    const { username } = credentials;
    const attempt = await throttle.reserve({ secret: accountKey(username), address: addressKey(address) });
    const user = await verifyCredentials(credentials).catch(async (error: unknown) => {
      await attempt.failed();
      throw error;
    });
    if (!user) {
      await attempt.failed();
      await audit.record({ action: 'login', outcome: 'failed', detail: `username=${username.slice(0, 150)}`, address });
      throw new AppError('INVALID_CREDENTIALS');
    }
    await twoFactor.demand(user, credentials.otp, address, 'login').catch(async (error: unknown) => {
      await attempt.succeeded();
      throw error;
    });
    await attempt.succeeded({ clearSecret: true });
    return { user, ...(await issueToken(user, address, kind)) };
  }

  /** The browser's sign-in: a `browser` token, and the actor it signs in (for the reply). */
  async function startSession(credentials: Credentials, address: string | null) {
    const { token, expiresAt } = await signIn(credentials, address, 'browser');
    const actor = await resolveToken(token, address);
    if (!actor) throw new AppError('INVALID_TOKEN');
    return { token, expiresAt, actor };
  }

  /**
   * A new account. Probing for taken usernames or emails is throttled like failed logins, per
   * address only (no account is at stake yet): a conflict, a refusal (registration closed, no or
   * a bad invite, a role not granted) is a failure, anything else gives its slot back.
   */
  async function register(input: NewAccount, address: string | null): Promise<Account> {
    const attempt = await throttle.reserve({ address: addressKey(address) });
    const account = await createAccount(input, address).catch(async (error: unknown) => {
      const refused = error instanceof AppError && ['CONFLICT', 'LINK_INVALID', 'FORBIDDEN'].includes(error.code);
      await (refused ? attempt.failed() : attempt.succeeded());
      throw error;
    });
    await attempt.succeeded();
    return account;
  }

  return { signIn, startSession, register };
}
