import bcrypt from 'bcrypt';
import type { AppDeps } from '../deps';
import { AppError, conflict, forbidden, notFound } from '../http/errors';
import { DEFAULT_ROLE, SELF_ASSIGNABLE_ROLES, permissionsOf, type RoleName } from '../roles/permissions';
import { findRoleByName } from '../roles/roles.repository';
import { findUserConflicts, insertUser, setUserPassword } from '../users/users.repository';
import type { Actor, TokenScope } from './actor';
import * as repo from './auth.repository';
import { generateToken, hashToken, looksLikeToken } from './tokens';

/** lastUsedAt is written at most this often per token, so reads stay reads. */
const TOUCH_INTERVAL_MS = 60_000;

export type Credentials = { username: string; password: string };
export type AuthenticatedUser = { id: number; username: string; email: string; role: string | null };

export function createAuthService({ db, reader, config }: Pick<AppDeps, 'db' | 'reader' | 'config'>) {
  // Compared against when the username is unknown, so that both failures cost one bcrypt call.
  const dummyHash = bcrypt.hash('not-a-real-password', config.bcryptCost);

  async function register(input: { username: string; email: string; password: string; role?: RoleName }) {
    const roleName = input.role ?? DEFAULT_ROLE;
    if (!SELF_ASSIGNABLE_ROLES.includes(roleName)) {
      throw forbidden(`The ${roleName} role is granted only by an admin.`);
    }
    await assertAvailable(input.username, input.email);
    const role = await findRoleByName(db, roleName);
    if (!role) throw new AppError('SERVICE_UNAVAILABLE', 'Roles are not set up yet.');
    const passwordHash = await bcrypt.hash(input.password, config.bcryptCost);
    try {
      return await insertUser(db, { username: input.username, email: input.email, passwordHash, roleId: role.id });
    } catch (error) {
      // Lost a race with a concurrent registration: say which value was taken.
      await assertAvailable(input.username, input.email);
      throw error;
    }
  }

  async function assertAvailable(username: string, email: string) {
    const taken = await findUserConflicts(db, username, email);
    if (!taken) return;
    if (taken.usernameLower === username.toLowerCase()) throw conflict('A user with that username already exists.');
    throw conflict('A user with that email already exists.');
  }

  /** The user for these credentials, or null: unknown, inactive and wrong password look the same. */
  async function verifyCredentials({ username, password }: Credentials): Promise<AuthenticatedUser | null> {
    const user = await repo.findUserByUsername(db, username);
    const matches = await bcrypt.compare(password, user ? user.passwordHash : await dummyHash);
    if (!user || !matches || !user.isActive) return null;
    return { id: user.id, username: user.username, email: user.email, role: user.role?.name ?? null };
  }

  async function createToken(userId: number, options: { kind: 'session' | 'personal'; scope: TokenScope; name: string | null; ttlMs: number }) {
    const token = generateToken();
    const expiresAt = new Date(Date.now() + options.ttlMs);
    const info = await repo.insertToken(db, {
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

  /** A login: a new read-write session token, valid for the configured lifetime. */
  async function issueToken(userId: number) {
    const { token, info } = await createToken(userId, { kind: 'session', scope: 'read-write', name: null, ttlMs: config.tokenTtlMs });
    await repo.recordLogin(db, userId, new Date());
    return { token, expiresAt: info.expiresAt };
  }

  /** A named token for a script, shown once; `read` tokens may only read. */
  function createPersonalToken(actor: Actor, input: { name: string; scope: TokenScope; expiresInDays?: number }) {
    const ttlMs = input.expiresInDays ? input.expiresInDays * 86_400_000 : config.tokenTtlMs;
    return createToken(actor.id, { kind: 'personal', scope: input.scope, name: input.name, ttlMs });
  }

  async function revokeToken(actor: Actor, tokenId: number) {
    const { count } = await repo.revokeOwnToken(db, actor.id, tokenId, new Date());
    if (count === 0) throw notFound('Token not found');
  }

  /** Changes the password after checking the current one, and revokes every other token. */
  async function changePassword(actor: Actor, currentPassword: string, newPassword: string) {
    const user = await repo.findUserByUsername(db, actor.username);
    if (!user || !(await bcrypt.compare(currentPassword, user.passwordHash))) {
      throw new AppError('VALIDATION_FAILED', 'currentPassword: The current password is not correct.', {
        details: [{ path: 'currentPassword', message: 'The current password is not correct.' }],
      });
    }
    await setUserPassword(db, actor.id, await bcrypt.hash(newPassword, config.bcryptCost));
    await repo.revokeOtherTokens(db, actor.id, actor.tokenId, new Date());
  }

  /** The actor behind a token, or null when it is unknown, revoked, expired or its user inactive. */
  async function resolveToken(token: string): Promise<Actor | null> {
    if (!looksLikeToken(token)) return null;
    const row = await repo.findTokenWithUser(reader, hashToken(token));
    const now = new Date();
    if (!row || row.revokedAt || row.expiresAt <= now || !row.user.isActive) return null;
    const lastActive = row.lastUsedAt ?? row.createdAt;
    if (now.getTime() - lastActive.getTime() > config.tokenIdleMs) return null;
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
      await repo.touchToken(db, row.id, now);
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
    };
  }

  async function logout(actor: Actor) {
    await repo.revokeToken(db, actor.tokenId, new Date());
  }

  return {
    register,
    verifyCredentials,
    issueToken,
    resolveToken,
    logout,
    createPersonalToken,
    listTokens: (actor: Actor) => repo.listLiveTokens(db, actor.id, new Date()),
    revokeToken,
    revokeAllTokens: (userId: number) => repo.revokeUserTokens(db, userId, new Date()),
    changePassword,
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
