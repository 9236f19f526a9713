import bcrypt from 'bcrypt';

import type { Database, Transaction } from '../../platform/db/client';
import type { SqlReader } from '../../platform/db/sql-reader';
import type { Actor, TokenScope } from '../../shared/actor';
import type { Config } from '../../shared/config';
import { AppError, conflict, forbidden, notFound } from '../../shared/errors';
import { DEFAULT_ROLE, permissionsOf, SELF_ASSIGNABLE_ROLES } from '../../shared/permissions';
import type { AuditLog } from '../audit';
import type { RolesService } from '../roles';
import type { Accounts } from '../users';
import type { AttemptThrottle } from './attempt-throttle';
import * as repo from './auth.repository';
import type { Invites } from './invites';
import { createPasswordCheck } from './password-check';
import { createSignIn, type AuthenticatedUser, type Credentials, type NewAccount } from './sign-in';
import type { TokenCache } from './token-cache';
import { generateToken, hashToken, looksLikeToken } from './tokens';
import { createTwoFactor } from './two-factor.service';

/** lastUsedAt is written at most this often per token, so reads stay reads. */
const TOUCH_INTERVAL_MS = 60_000;

/** "session": from a login, for scripts; "browser": the web app's cookie session; "personal": named, made by its user. */
export type TokenKind = 'session' | 'browser' | 'personal';

export type AuthDeps = {
  db: Database;
  reader: SqlReader;
  config: Config;
  audit: AuditLog;
  roles: RolesService;
  /** Tokens as last read, dropped on every change (token-cache.ts). */
  tokenCache: TokenCache;
  /** Attempts at a password (the current one before a change). */
  throttle: AttemptThrottle;
  /** The accounts (the users feature's). */
  accounts: Accounts;
  /** Who may join: registration modes and invites (invites.ts). */
  invites: Invites;
};

export function createAuthService(deps: AuthDeps) {
  const { db, reader, config, audit, roles, tokenCache, throttle, accounts, invites } = deps;
  /** After a change of a user or their tokens: this process forgets them at once (others by notification). */
  const forget = (userId: number) => tokenCache.forgetUser(userId);

  const checkPassword = createPasswordCheck({ throttle, audit, accounts });
  const twoFactor = createTwoFactor({
    db,
    audit,
    throttle,
    issuer: config.publicUrl ? new URL(config.publicUrl).host : 'Gallery Server',
    checkPassword,
  });

  // Compared against when the username is unknown, so that both failures cost one bcrypt call.
  const dummyHash = bcrypt.hash('not-a-real-password', config.bcryptCost);

  /** A new account; `address` is the client's, for the audit log. */
  async function createAccount(input: NewAccount, address: string | null) {
    // Who may join (REGISTRATION): an invite may give a role of its own.
    const admission = await invites.admit(input, address);
    const roleName = admission.role ?? input.role ?? DEFAULT_ROLE;
    if (!admission.role && !SELF_ASSIGNABLE_ROLES.includes(roleName)) {
      throw forbidden(`The ${roleName} role is granted only by an admin.`);
    }
    await assertAvailable(input.username, input.email);
    const role = await roles.find(roleName);
    if (!role) throw new AppError('SERVICE_UNAVAILABLE', 'Roles are not set up yet.');
    const passwordHash = await bcrypt.hash(input.password, config.bcryptCost);
    try {
      const { user } = await audit.withEvent(
        async (tx) => {
          const { username, email } = input;
          const made = await accounts.create({ username, email, passwordHash, roleId: role.id }, tx);
          return { user: made, events: await admission.claim(tx, made) };
        },
        ({ events, user }) => [
          {
            action: 'register',
            actor: user,
            target: { type: 'user', id: user.id },
            detail: `role=${user.role?.name}`,
            address,
          },
          ...events,
        ],
      );
      return user;
    } catch (error) {
      // Lost a race with a concurrent registration: say which value was taken.
      await assertAvailable(input.username, input.email);
      throw error;
    }
  }

  async function assertAvailable(username: string, email: string) {
    const taken = await accounts.findConflict(username, email);
    if (!taken) return;
    if (taken.usernameLower === username.toLowerCase()) throw conflict('A user with that username already exists.');
    throw conflict('A user with that email already exists.');
  }

  /** The user for these credentials, or null: unknown, inactive and wrong password look the same. */
  async function verifyCredentials({ username, password }: Credentials): Promise<AuthenticatedUser | null> {
    const user = await accounts.findWithPassword(username);
    const matches = await bcrypt.compare(password, user ? user.passwordHash : await dummyHash);
    if (!user || !user.isActive) return null;
    if (!user.passwordSignIn) throw new AppError('PASSWORD_SIGN_IN_OFF'); // made by single sign-on, whatever the password
    if (!matches) return null;
    return {
      id: user.id,
      username: user.username,
      email: user.email,
      role: user.role?.name ?? null,
      enrolled: user.totpEnabledAt !== null,
    };
  }

  async function createToken(
    tx: Transaction,
    userId: number,
    options: { kind: TokenKind; scope: TokenScope; name: string | null; ttlMs: number },
  ) {
    const token = generateToken();
    const expiresAt = new Date(Date.now() + options.ttlMs);
    const info = await repo.insertToken(tx, {
      userId,
      tokenHash: hashToken(token),
      expiresAt,
      kind: options.kind,
      scope: options.scope,
      name: options.name,
      prefix: token.slice(0, 8),
    });
    return { token, info };
  }

  /**
   * A login: a new read-write token, valid for the configured lifetime; `browser` for the web
   * app's cookie session.
   */
  async function issueToken(
    user: { id: number; username: string },
    address: string | null,
    kind: 'session' | 'browser' = 'session',
  ) {
    const issued = await audit.withEvent(
      async (tx) => {
        const { token, info } = await createToken(tx, user.id, {
          kind,
          scope: 'read-write',
          name: null,
          ttlMs: config.tokenTtlMs,
        });
        await repo.recordLogin(tx, user.id, new Date());
        return { token, expiresAt: info.expiresAt };
      },
      () => ({ action: 'login', actor: user, address, ...(kind === 'browser' ? { detail: 'browser session' } : {}) }),
    );
    forget(user.id);
    return issued;
  }

  /** A named token for a script, shown once; `read` tokens may only read. */
  function createPersonalToken(actor: Actor, input: { name: string; scope: TokenScope; expiresInDays?: number }) {
    const ttlMs = input.expiresInDays ? input.expiresInDays * 86_400_000 : config.tokenTtlMs;
    return audit.withEvent(
      (tx) => createToken(tx, actor.id, { kind: 'personal', scope: input.scope, name: input.name, ttlMs }),
      ({ info }) => ({
        action: 'token.create',
        actor,
        target: { type: 'token', id: info.id },
        detail: `scope=${info.scope}`,
        address: actor.address,
      }),
    );
  }

  async function revokeToken(actor: Actor, tokenId: number) {
    await audit.withEvent(
      async (tx) => {
        const { count } = await repo.revokeOwnToken(tx, actor.id, tokenId, new Date());
        if (count === 0) throw notFound('Token not found');
      },
      () => ({ action: 'token.revoke', actor, target: { type: 'token', id: tokenId }, address: actor.address }),
    );
    forget(actor.id);
  }

  /** Revokes every token of the actor, the one in use included. */
  async function revokeAllTokens(actor: Actor) {
    const revoked = await audit.withEvent(
      (tx) => repo.revokeUserTokens(tx, actor.id, new Date()),
      () => ({ action: 'token.revoke_all', actor, target: { type: 'user', id: actor.id }, address: actor.address }),
    );
    forget(actor.id);
    return revoked;
  }

  /**
   * Changes the password after checking the current one (`checkPassword`: counted as an attempt at
   * the account's password) and, with two-factor sign-in, a code; revokes every other token, at once.
   */
  async function changePassword(actor: Actor, currentPassword: string, newPassword: string, otp?: string) {
    const user = await checkPassword(actor, currentPassword, { action: 'password.change', field: 'currentPassword' });
    await twoFactor.demand({ ...actor, enrolled: user.totpEnabledAt !== null }, otp, actor.address, 'password.change');
    const passwordHash = await bcrypt.hash(newPassword, config.bcryptCost);
    await audit.withEvent(
      async (tx) => {
        await accounts.setPasswordHash(actor.id, passwordHash, tx);
        await repo.revokeOtherTokens(tx, actor.id, actor.tokenId, new Date());
      },
      () => ({ action: 'password.change', actor, target: { type: 'user', id: actor.id }, address: actor.address }),
    );
    forget(actor.id);
  }

  /**
   * The actor behind a token, or null when it is unknown, revoked, expired or its user inactive.
   * `address` is the client's, kept on the actor for the audit log.
   */
  async function resolveToken(token: string, address: string | null): Promise<Actor | null> {
    if (!looksLikeToken(token)) return null;
    const hash = hashToken(token);
    let row = tokenCache.get(hash) ?? null;
    if (!row) {
      const generation = tokenCache.generation();
      row = await repo.findTokenWithUser(reader, hash);
      if (row) tokenCache.set(hash, row, generation);
    }
    const now = new Date();
    if (!row || row.revokedAt || row.expiresAt <= now || !row.user.isActive) return null;
    const lastActive = row.lastUsedAt ?? row.createdAt;
    if (now.getTime() - lastActive.getTime() > config.tokenIdleMs) return null;
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
      await repo.touchToken(db, row.id, now);
      tokenCache.touched(hash, now);
    }
    const role = row.user.role?.name ?? null;
    return {
      id: row.user.id,
      username: row.user.username,
      email: row.user.email,
      role,
      permissions: new Set(permissionsOf(role)),
      tokenId: row.id,
      scope: row.scope,
      address,
      account: {
        isActive: row.user.isActive,
        storageQuotaMb: row.user.storageQuotaMb,
        createdAt: row.user.createdAt,
        lastLoginAt: row.user.lastLoginAt,
      },
    };
  }

  async function logout(actor: Actor) {
    await audit.withEvent(
      (tx) => repo.revokeToken(tx, actor.tokenId, new Date()),
      () => ({ action: 'logout', actor, target: { type: 'token', id: actor.tokenId }, address: actor.address }),
    );
    forget(actor.id);
  }

  // Signing in and registering from the public routes: throttled attempts (sign-in.ts).
  const entry = createSignIn({
    throttle,
    audit,
    twoFactor,
    verifyCredentials,
    issueToken,
    resolveToken,
    createAccount,
  });

  return {
    /** The server's public URL, when set: the origin the session cookie's CSRF check expects, and whether cookies are Secure. */
    publicUrl: config.publicUrl,
    register: entry.register,
    signIn: entry.signIn,
    startSession: entry.startSession,
    issueToken,
    resolveToken,
    logout,
    createPersonalToken,
    listTokens: (actor: Actor) => repo.listLiveTokens(db, actor.id, new Date()),
    revokeToken,
    revokeAllTokens,
    /** In the caller's transaction: revokes every token of a user (a deactivation, an admin's revoke). */
    endSessionsOf: (tx: Transaction, userId: number) => repo.revokeUserTokens(tx, userId, new Date()),
    changePassword,
    /** Two-factor sign-in: enrolment, recovery codes, turning it off, an admin's reset. */
    twoFactor,
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
