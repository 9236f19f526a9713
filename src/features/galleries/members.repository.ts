import type { Database } from '../../platform/db/client';
import type { MemberRole } from './galleries.access';

const memberSelect = {
  role: true,
  createdAt: true,
  user: { select: { id: true, username: true, role: { select: { name: true } } } },
} as const;

export type MemberRow = NonNullable<Awaited<ReturnType<typeof findMember>>>;

/** A gallery's members, in the order they were added (a gallery has few; no paging). */
export function listMembers(db: Database, galleryId: number) {
  return db.galleryMember.findMany({
    where: { galleryId },
    select: memberSelect,
    orderBy: [{ createdAt: 'asc' }, { userId: 'asc' }],
    take: MAX_MEMBERS,
  });
}

/** Members a gallery may have: the list is always returned whole. */
export const MAX_MEMBERS = 500;

/** A burst of adds waits for a connection of the pool (each is short) rather than being turned away. */
export const BURST = { maxWait: 10_000, timeout: 10_000 };

export function countMembers(db: Database, galleryId: number) {
  return db.galleryMember.count({ where: { galleryId } });
}

export function findMember(db: Database, galleryId: number, userId: number) {
  return db.galleryMember.findUnique({ where: { galleryId_userId: { galleryId, userId } }, select: memberSelect });
}

/** The active user with this username (any case), with their role. */
export function findUserByUsername(db: Database, username: string) {
  return db.user.findFirst({
    where: { usernameLower: username.toLowerCase(), isActive: true },
    select: { id: true, username: true, role: { select: { name: true } } },
  });
}

export function insertMember(db: Database, data: { galleryId: number; userId: number; role: MemberRole }) {
  return db.galleryMember.create({ data, select: memberSelect });
}

export function updateMemberRole(db: Database, galleryId: number, userId: number, role: MemberRole) {
  return db.galleryMember.update({
    where: { galleryId_userId: { galleryId, userId } },
    data: { role },
    select: memberSelect,
  });
}

/** True when there was such a member. */
export async function deleteMember(db: Database, galleryId: number, userId: number): Promise<boolean> {
  const { count } = await db.galleryMember.deleteMany({ where: { galleryId, userId } });
  return count === 1;
}
