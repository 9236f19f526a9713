import bcrypt from 'bcrypt';
import type { AppDeps } from '../deps';
import { AppError, conflict, forbidden } from '../http/errors';
import { DEFAULT_ROLE, SELF_ASSIGNABLE_ROLES, permissionsOf, type RoleName } from '../roles/permissions';
import { findRoleByName } from '../roles/roles.repository';
import { findUserConflicts, insertUser } from '../users/users.repository';
import type { Actor } from './actor';
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

  async function issueToken(userId: number) {
    const token = generateToken();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + config.tokenTtlMs);
    await repo.insertToken(db, { userId, tokenHash: hashToken(token), expiresAt });
    await repo.recordLogin(db, userId, now);
    return { token, expiresAt };
  }

  /** The actor behind a token, or null when it is unknown, revoked, expired or its user inactive. */
  async function resolveToken(token: string): Promise<Actor | null> {
    if (!looksLikeToken(token)) return null;
    const row = await repo.findTokenWithUser(reader, hashToken(token));
    const now = new Date();
    if (!row || row.revokedAt || row.expiresAt <= now || !row.user.isActive) return null;
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
    };
  }

  async function logout(actor: Actor) {
    await repo.revokeToken(db, actor.tokenId, new Date());
  }

  return { register, verifyCredentials, issueToken, resolveToken, logout };
}

export type AuthService = ReturnType<typeof createAuthService>;
