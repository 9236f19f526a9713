import type { Database } from '../../platform/db/client';
import type { MemberRole } from './galleries.access';

/** Groups a gallery may have as members: the list is always returned whole. */
export const MAX_GROUPS = 100;

const groupMemberSelect = (userId: number) =>
  ({
    role: true,
    createdAt: true,
    group: {
      select: { id: true, name: true, members: { where: { userId }, select: { userId: true }, take: 1 } },
    },
  }) as const;

type GroupMemberRow = {
  role: string;
  createdAt: Date;
  group: { id: number; name: string; members: { userId: number }[] };
};

/** A group's membership of a gallery, as seen by `viewerId` (`includesYou`: they are in the group). */
export type GalleryGroupRow = {
  role: string;
  createdAt: Date;
  group: { id: number; name: string };
  includesYou: boolean;
};

const toRow = ({ group: { members, ...group }, ...rest }: GroupMemberRow): GalleryGroupRow => ({
  ...rest,
  group,
  includesYou: members.length > 0,
});

/** The gallery's groups, in the order they were added. */
export async function listGalleryGroups(db: Database, galleryId: number, viewerId: number) {
  const rows = await db.galleryGroupMember.findMany({
    where: { galleryId },
    select: groupMemberSelect(viewerId),
    orderBy: [{ createdAt: 'asc' }, { groupId: 'asc' }],
    take: MAX_GROUPS,
  });
  return rows.map(toRow);
}

export function countGalleryGroups(db: Database, galleryId: number) {
  return db.galleryGroupMember.count({ where: { galleryId } });
}

/** The group with this name, whatever its case. */
export function findGroupByName(db: Database, name: string) {
  return db.group.findUnique({ where: { nameLower: name.toLowerCase() }, select: { id: true, name: true } });
}

export async function findGalleryGroup(db: Database, galleryId: number, groupId: number, viewerId: number) {
  const row = await db.galleryGroupMember.findUnique({
    where: { galleryId_groupId: { galleryId, groupId } },
    select: groupMemberSelect(viewerId),
  });
  return row && toRow(row);
}

export async function insertGalleryGroup(
  db: Database,
  data: { galleryId: number; groupId: number; role: MemberRole },
  viewerId: number,
) {
  return toRow(await db.galleryGroupMember.create({ data, select: groupMemberSelect(viewerId) }));
}

/** False when the group is not (or no longer) a member. */
export async function updateGalleryGroupRole(db: Database, galleryId: number, groupId: number, role: MemberRole) {
  const { count } = await db.galleryGroupMember.updateMany({ where: { galleryId, groupId }, data: { role } });
  return count === 1;
}

/** True when the group was a member. */
export async function deleteGalleryGroup(db: Database, galleryId: number, groupId: number): Promise<boolean> {
  const { count } = await db.galleryGroupMember.deleteMany({ where: { galleryId, groupId } });
  return count === 1;
}

export async function isGalleryGroup(db: Database, galleryId: number, groupId: number) {
  return (await db.galleryGroupMember.count({ where: { galleryId, groupId } })) === 1;
}

/** How many users of the group have a role outside `writers` (or none): they may only view. */
export function countViewOnlyUsers(db: Database, groupId: number, writers: readonly string[]) {
  return db.groupMember.count({
    where: { groupId, user: { OR: [{ roleId: null }, { role: { name: { notIn: [...writers] } } }] } },
  });
}
