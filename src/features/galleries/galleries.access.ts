import type { Filter } from '../../platform/db/keyset';
import { isAdmin, type Actor } from '../../shared/actor';

/**
 * Every signed-in user sees a `shared` gallery; a `private` one only its owner, members and admins.
 * A member is a user, or a group the user is in: access is the union of both, in one condition.
 */
export const VISIBILITIES = ['shared', 'private'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** A member's role in one gallery: a viewer sees it, an editor may also add and change its images. */
export const MEMBER_ROLES = ['viewer', 'editor'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/**
 * What every reader sees: rows neither being deleted nor in the trash. An image is seen only while
 * its gallery is too (a gallery's images stay as they are while it is in the trash). In the query,
 * as the visibility condition is, never a filter after it.
 */
export const liveSql = (alias: string) => `NOT ${alias}."deleting" AND NOT ${alias}."trashed"`;
/** The same for Prisma queries (on Gallery or Image). */
export const LIVE = { deleting: false, trashed: false } as const;

/**
 * Who is looking, for the visibility filter: a signed-in user, or `anyone` once access has been
 * established another way (a share link names its gallery).
 */
export type Viewer = { userId: number; admin: boolean } | 'anyone';

export const viewerOf = (actor: Actor): Viewer => ({ userId: actor.id, admin: isAdmin(actor) });

/**
 * The SQL condition that keeps only the galleries `viewer` may see, on the gallery table under
 * `alias`: in the query, so that lists, counts and keyset pages stay right. None for admins.
 */
export function visibleGalleries(viewer: Viewer, alias: string): Filter | null {
  if (viewer === 'anyone' || viewer.admin) return null;
  return {
    sql:
      `(${alias}."visibility" = 'shared' OR ${alias}."ownerId" = ?` +
      ` OR EXISTS (SELECT 1 FROM "GalleryMember" gm WHERE gm."galleryId" = ${alias}.id AND gm."userId" = ?)` +
      ` OR EXISTS (SELECT 1 FROM "GroupMember" um JOIN "GalleryGroupMember" ggm ON ggm."groupId" = um."groupId"` +
      ` WHERE um."userId" = ? AND ggm."galleryId" = ${alias}.id))`,
    params: [viewer.userId, viewer.userId, viewer.userId],
  };
}

/** `filters` with the visibility condition added when there is one. */
export function withVisibility(filters: Filter[], viewer: Viewer, alias: string): Filter[] {
  const visible = visibleGalleries(viewer, alias);
  return visible ? [...filters, visible] : filters;
}

/** The same condition for Prisma queries on Gallery. */
export function visibleGalleryWhere(viewer: Viewer) {
  if (viewer === 'anyone' || viewer.admin) return {};
  return {
    OR: [{ visibility: 'shared' }, ...memberOf(viewer.userId)],
  };
}

/**
 * Prisma conditions on Gallery, any of which makes `userId` its owner or a member: directly, or
 * through a group they are in; `role`: only memberships of that role (the owner whatever it is).
 */
export function memberOf(userId: number, role?: MemberRole) {
  const membership = role ? { role } : {};
  return [
    { ownerId: userId },
    { members: { some: { userId, ...membership } } },
    { groupMembers: { some: { ...membership, group: { members: { some: { userId } } } } } },
  ];
}

/** Galleries a user may write to: their own, and those they are an editor of, directly or through a group (admins: all). */
export function writableGalleryWhere(viewer: Exclude<Viewer, 'anyone'>) {
  return viewer.admin ? {} : { OR: memberOf(viewer.userId, 'editor') };
}
