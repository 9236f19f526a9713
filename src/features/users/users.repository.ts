import type { Database } from '../../platform/db/client';

export const publicUserSelect = {
  id: true,
  username: true,
  email: true,
  isActive: true,
  storageQuotaMb: true,
  createdAt: true,
  lastLoginAt: true,
  role: { select: { name: true } },
  /** Set while two-factor sign-in is in force (only the admin's reply shows it, as a yes or no). */
  totpEnabledAt: true,
} as const;

/** The user with this username (whatever its case), with the password hash: for signing in only. */
export function findUserWithPassword(db: Database, username: string) {
  return db.user.findUnique({
    where: { usernameLower: username.toLowerCase() },
    include: { role: { select: { name: true } } },
  });
}

export function findUserConflicts(db: Database, username: string, email: string) {
  return db.user.findFirst({
    where: { OR: [{ usernameLower: username.toLowerCase() }, { emailLower: email.toLowerCase() }] },
    select: { usernameLower: true, emailLower: true },
  });
}

export function insertUser(
  db: Database,
  data: { username: string; email: string; passwordHash: string; roleId: number; isActive?: boolean },
) {
  return db.user.create({
    data: { ...data, usernameLower: data.username.toLowerCase(), emailLower: data.email.toLowerCase() },
    select: publicUserSelect,
  });
}

export function findUserById(db: Database, id: number) {
  return db.user.findUnique({ where: { id }, select: publicUserSelect });
}

export function listUsers(db: Database, page: { limit: number; afterId?: number }) {
  return db.user.findMany({
    where: page.afterId ? { id: { gt: page.afterId } } : undefined,
    orderBy: { id: 'asc' },
    take: page.limit + 1,
    select: publicUserSelect,
  });
}

export function updateUser(
  db: Database,
  id: number,
  data: { roleId?: number; isActive?: boolean; storageQuotaMb?: number | null },
) {
  return db.user.update({ where: { id }, data, select: publicUserSelect });
}

export function setUserPassword(db: Database, id: number, passwordHash: string) {
  return db.user.update({ where: { id }, data: { passwordHash }, select: { id: true } });
}
