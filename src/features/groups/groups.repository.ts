import type { Database } from '../../platform/db/client';

const groupSelect = {
  id: true,
  name: true,
  description: true,
  createdAt: true,
  _count: { select: { members: true } },
} as const;

export type GroupRow = NonNullable<Awaited<ReturnType<typeof findGroup>>>;

export function findGroup(db: Database, id: number) {
  return db.group.findUnique({ where: { id }, select: groupSelect });
}

/** A page of groups, oldest first, one more than `limit` (to know whether there is a next page). */
export function listGroups(db: Database, page: { limit: number; afterId?: number }) {
  return db.group.findMany({
    where: page.afterId ? { id: { gt: page.afterId } } : undefined,
    orderBy: { id: 'asc' },
    take: page.limit + 1,
    select: groupSelect,
  });
}

export function insertGroup(db: Database, data: { name: string; description: string }) {
  return db.group.create({ data: { ...data, nameLower: data.name.toLowerCase() }, select: groupSelect });
}

/** Null when the group is not there (any more). */
export async function updateGroup(db: Database, id: number, data: { name?: string; description?: string }) {
  const changes = data.name === undefined ? data : { ...data, nameLower: data.name.toLowerCase() };
  const { count } = await db.group.updateMany({ where: { id }, data: changes });
  return count === 1 ? findGroup(db, id) : null;
}

/** How many galleries the group was a member of; null when it was not there. */
export async function deleteGroup(db: Database, id: number) {
  const galleries = await db.galleryGroupMember.count({ where: { groupId: id } });
  const { count } = await db.group.deleteMany({ where: { id } });
  return count === 1 ? galleries : null;
}

/** A page of the group's users, by user id. */
export async function listGroupUsers(db: Database, groupId: number, page: { limit: number; afterId?: number }) {
  const rows = await db.groupMember.findMany({
    where: { groupId, ...(page.afterId ? { userId: { gt: page.afterId } } : {}) },
    orderBy: { userId: 'asc' },
    take: page.limit + 1,
    select: { createdAt: true, user: { select: { id: true, username: true } } },
  });
  return rows.map((row) => ({ id: row.user.id, user: row.user, createdAt: row.createdAt }));
}

/** The active user with this username (any case). */
export function findActiveUser(db: Database, username: string) {
  return db.user.findFirst({
    where: { usernameLower: username.toLowerCase(), isActive: true },
    select: { id: true, username: true },
  });
}

export function insertGroupUser(db: Database, groupId: number, userId: number) {
  return db.groupMember.create({
    data: { groupId, userId },
    select: { createdAt: true, user: { select: { id: true, username: true } } },
  });
}

/** True when the user was in the group. */
export async function deleteGroupUser(db: Database, groupId: number, userId: number) {
  const { count } = await db.groupMember.deleteMany({ where: { groupId, userId } });
  return count === 1;
}

/** Whether a group other than `exceptId` has this name, whatever its case. */
export async function nameTaken(db: Database, name: string, exceptId?: number) {
  const group = await db.group.findUnique({ where: { nameLower: name.toLowerCase() }, select: { id: true } });
  return group !== null && group.id !== exceptId;
}

export async function isInGroup(db: Database, groupId: number, userId: number) {
  return (await db.groupMember.count({ where: { groupId, userId } })) === 1;
}
