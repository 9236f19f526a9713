import { isRoleName, roleLabel } from '../../shared/permissions';

type UserRow = {
  id: number;
  username: string;
  email: string;
  isActive: boolean;
  storageQuotaMb: number | null;
  createdAt: Date;
  lastLoginAt: Date | null;
  role: { name: string } | null;
};

/**
 * The only shape in which a user leaves the server: never a password hash or a token. A role this
 * server does not know (a row left from another version) is no role, as for its permissions.
 */
export function toUserJson(user: UserRow) {
  const role = user.role?.name ?? null;
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    role: isRoleName(role) ? role : null,
    roleLabel: roleLabel(role),
    isActive: user.isActive,
    storageQuotaMb: user.storageQuotaMb,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt ? user.lastLoginAt.toISOString() : null,
  };
}

/** A user as an admin sees them: the same, and whether two-factor sign-in is on (never its secret). */
export function toAdminUserJson(user: UserRow & { totpEnabledAt: Date | null }) {
  return { ...toUserJson(user), twoFactor: user.totpEnabledAt !== null };
}
