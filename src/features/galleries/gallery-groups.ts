import type { Database } from '../../platform/db/client';
import { databaseFailureOf } from '../../platform/db/errors';
import type { Actor } from '../../shared/actor';
import { conflict, notFound } from '../../shared/errors';
import { permissionsOf, ROLES } from '../../shared/permissions';
import type { AuditLog } from '../audit';
import type { MemberRole } from './galleries.access';
import * as repo from './gallery-groups.repository';
import { BURST } from './members.repository';

const NO_SUCH_GROUP = 'No group with that name';
const NOT_A_MEMBER = 'No such group is a member of this gallery';

type Deps = {
  db: Database;
  audit: AuditLog;
  /** 404 when the actor cannot see the gallery, 403 when it is not theirs to manage. */
  requireModifiable: (actor: Actor, id: number) => Promise<unknown>;
};

/** The roles that may write at all: an editor with another role only views. */
const WRITERS = ROLES.filter((role) => permissionsOf(role.name).includes('image:create')).map((role) => role.name);

const groupEvent = (actor: Actor, action: string, galleryId: number, detail: string) => ({
  action,
  actor,
  target: { type: 'gallery', id: galleryId },
  detail,
  address: actor.address,
});

/**
 * Groups as members of a gallery: a group is a viewer or an editor exactly as a user is, and
 * everyone in it has that role (the access condition in galleries.access.ts reads it). Managed by
 * the gallery's owner and admins; every change is in the audit log.
 */
export function createGalleryGroups({ db, audit, requireModifiable }: Deps) {
  /** Why an editor group gives some of its users less than it says: their own role may not write. */
  async function withNote<Row extends repo.GalleryGroupRow>(row: Row): Promise<Row & { note?: string }> {
    if (row.role !== 'editor') return row;
    const viewOnly = await repo.countViewOnlyUsers(db, row.group.id, WRITERS);
    if (viewOnly === 0) return row;
    const who = viewOnly === 1 ? '1 user' : `${viewOnly} users`;
    return {
      ...row,
      note: `${who} of ${row.group.name} ${viewOnly === 1 ? 'has' : 'have'} a view-only role: as editors they can see this gallery but not change it.`,
    };
  }

  return {
    list: (galleryId: number, viewerId: number) => repo.listGalleryGroups(db, galleryId, viewerId),

    async add(actor: Actor, galleryId: number, input: { group: string; role: MemberRole }) {
      await requireModifiable(actor, galleryId);
      const group = await repo.findGroupByName(db, input.group);
      if (!group) throw notFound(NO_SUCH_GROUP);
      const already = () => conflict(`${group.name} is already a member of this gallery.`);
      // Checked first so that a repeated add needs no transaction; the primary key decides races.
      if (await repo.isGalleryGroup(db, galleryId, group.id)) throw already();
      if ((await repo.countGalleryGroups(db, galleryId)) >= repo.MAX_GROUPS)
        throw conflict(`A gallery has at most ${repo.MAX_GROUPS} groups as members.`);
      try {
        const row = await audit.withEvent(
          (tx) => repo.insertGalleryGroup(tx, { galleryId, groupId: group.id, role: input.role }, actor.id),
          () => groupEvent(actor, 'gallery.group.add', galleryId, `group ${group.id} as ${input.role}`),
          BURST,
        );
        return await withNote(row);
      } catch (error) {
        const failure = databaseFailureOf(error);
        if (failure === 'unique-violation') throw already();
        // The group (or the gallery) was deleted meanwhile.
        if (failure === 'foreign-key') throw notFound(NO_SUCH_GROUP);
        throw error;
      }
    },

    async change(actor: Actor, galleryId: number, groupId: number, role: MemberRole) {
      await requireModifiable(actor, galleryId);
      // Nothing changed, nothing logged: the transaction ends with the 404.
      const row = await audit.withEvent(
        async (tx) => {
          if (!(await repo.updateGalleryGroupRole(tx, galleryId, groupId, role))) throw notFound(NOT_A_MEMBER);
          return (await repo.findGalleryGroup(tx, galleryId, groupId, actor.id))!;
        },
        () => groupEvent(actor, 'gallery.group.update', galleryId, `group ${groupId} as ${role}`),
      );
      return withNote(row);
    },

    async remove(actor: Actor, galleryId: number, groupId: number) {
      await requireModifiable(actor, galleryId);
      await audit.withEvent(
        async (tx) => {
          if (!(await repo.deleteGalleryGroup(tx, galleryId, groupId))) throw notFound(NOT_A_MEMBER);
        },
        () => groupEvent(actor, 'gallery.group.remove', galleryId, `group ${groupId}`),
      );
    },
  };
}

export type GalleryGroups = ReturnType<typeof createGalleryGroups>;
