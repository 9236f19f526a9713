import type { Database, Transaction } from '../../platform/db/client';

const inviteSelect = {
  id: true,
  email: true,
  roleId: true,
  createdAt: true,
  expiresAt: true,
  usedAt: true,
  usedById: true,
} as const;

export type InviteRow = {
  id: number;
  email: string | null;
  roleId: number | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  usedById: number | null;
};

export function insertInvite(
  tx: Transaction,
  data: { tokenHash: string; email: string | null; roleId: number | null; createdById: number; expiresAt: Date },
): Promise<InviteRow> {
  return tx.invite.create({ data, select: inviteSelect });
}

/** The newest invites first. */
export function listInvites(db: Database, limit: number): Promise<InviteRow[]> {
  return db.invite.findMany({ orderBy: { id: 'desc' }, take: limit, select: inviteSelect });
}

export function findInviteByHash(db: Database, tokenHash: string): Promise<InviteRow | null> {
  return db.invite.findUnique({ where: { tokenHash }, select: inviteSelect });
}

export function findInvite(db: Database, id: number): Promise<InviteRow | null> {
  return db.invite.findUnique({ where: { id }, select: inviteSelect });
}

/** Deletes the invite if it is still unused: the count says whether it did. */
export function deleteUnusedInvite(tx: Transaction, id: number) {
  return tx.invite.deleteMany({ where: { id, usedAt: null } });
}

/**
 * Marks the invite used by this account if it still is unused and unexpired: one atomic statement,
 * so that of many registrations with one invite exactly one gets a count of 1.
 */
export function claimInvite(tx: Transaction, id: number, userId: number, now: Date) {
  return tx.invite.updateMany({
    where: { id, usedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now, usedById: userId },
  });
}

/** Names of roles and users by id, for the list. */
export async function namesOf(db: Database, roleIds: number[], userIds: number[]) {
  const [roles, users] = await Promise.all([
    db.role.findMany({ where: { id: { in: roleIds } }, select: { id: true, name: true } }),
    db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, username: true } }),
  ]);
  return {
    role: new Map(roles.map((role) => [role.id, role.name])),
    user: new Map(users.map((user) => [user.id, user.username])),
  };
}
