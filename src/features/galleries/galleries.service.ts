import type { Database, Transaction } from '../../platform/db/client';
import { isUniqueViolation } from '../../platform/db/errors';
import type { SqlReader } from '../../platform/db/sql-reader';
import type { Actor } from '../../shared/actor';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../shared/errors';
import type { FaultPointHook } from '../../shared/fault-points';
import type { ListOptions } from '../../shared/paging';
import { permissionsOf, roleLabel } from '../../shared/permissions';
import type { AuditEvent, AuditLog } from '../audit';
import { viewerOf, type MemberRole, type Visibility } from './galleries.access';
import { canModifyGallery, canWriteToGallery } from './galleries.policy';
import * as repo from './galleries.repository';
import { createGalleryGroups } from './gallery-groups';
import { createGalleryTrash, type GalleryImages } from './gallery-trash';
import * as members from './members.repository';

export type { GalleryImages };

/**
 * What a transfer needs from the gallery's share links (sharing, a feature above this one): given
 * by the app's wiring. In the transfer's transaction: revokes the links the former owner made to
 * the gallery; the audit events of those revokes.
 */
export type GalleryLinks = {
  endLinksOfFormerOwner(tx: Transaction, galleryId: number, formerOwnerId: number, actor: Actor): Promise<AuditEvent[]>;
};

export type GalleriesDeps = {
  db: Database;
  reader: SqlReader;
  audit: AuditLog;
  images: GalleryImages;
  links: GalleryLinks;
  faultPoint: FaultPointHook;
  /** TRASH_DAYS: how long a deleted gallery stays restorable (0: deleted for good at once). */
  trashDays: number;
  /** DEFAULT_GALLERY_VISIBILITY: a new gallery's visibility when its creator picks none. */
  defaultVisibility?: Visibility;
};

const GALLERY_NOT_FOUND = 'Gallery not found';
const galleryNotFound = () => notFound(GALLERY_NOT_FOUND);

/** Where a gallery is looked up (a transaction, or the database) and what its absence is. */
type Lookup = { within?: Transaction; missing?: () => AppError; inTrash?: boolean };
const MEMBER_NOT_FOUND = 'No such member of this gallery';

/** What a PATCH may change; `coverImage`: an image of the gallery, or null for the default cover. */
type GalleryChanges = { name?: string; description?: string; visibility?: Visibility; coverImage?: number | null };

/** An image named as the cover that is not a live image of this gallery (or that the caller cannot see). */
const noSuchImage = () =>
  badRequest('coverImage: No image with that id in this gallery.', [
    { path: 'coverImage', message: 'No image with that id in this gallery.' },
  ]);

/** Why a member's role gives them less than it says: their own role may not write at all. */
function editorNote(username: string, role: MemberRole, userRole: string | null): string | undefined {
  if (role !== 'editor' || permissionsOf(userRole).includes('image:create')) return undefined;
  return `${username}'s role (${roleLabel(userRole) ?? 'none'}) is view-only: as an editor they can see this gallery but not change it.`;
}

export function createGalleriesService(deps: GalleriesDeps) {
  const { db, reader, audit, images, links, faultPoint, trashDays, defaultVisibility = 'shared' } = deps;
  const trash = createGalleryTrash({ db, audit, images, faultPoint, trashDays });

  async function get(actor: Actor, id: number) {
    const gallery = await repo.findGallery(reader, id, viewerOf(actor));
    if (!gallery) throw notFound(GALLERY_NOT_FOUND);
    return gallery;
  }

  /**
   * The gallery if the actor may see it, with their membership role; `missing()` otherwise (404 by
   * default). Read from `within`: a change checks again in the transaction that commits it.
   */
  async function visible(actor: Actor, id: number, { within = db, missing = galleryNotFound, inTrash }: Lookup = {}) {
    const gallery = await repo.findGalleryOwner(within, id, viewerOf(actor), inTrash);
    if (!gallery) throw missing();
    return gallery;
  }

  /** 404 when the actor cannot see the gallery, 403 when it is not theirs to manage. */
  async function requireModifiable(actor: Actor, id: number) {
    const gallery = await visible(actor, id);
    if (!canModifyGallery(actor, gallery)) throw forbidden('Only the owner of this gallery or an admin may change it.');
    return gallery;
  }

  /**
   * The gallery the actor may add images to or change images in: its owner, an admin or an editor
   * (403 otherwise, saying why). The one check of write access to a gallery, for every image write.
   */
  async function requireWritable(actor: Actor, id: number, lookup: Lookup = {}) {
    const gallery = await visible(actor, id, lookup);
    if (!canWriteToGallery(actor, gallery)) {
      throw forbidden(
        gallery.memberRole === 'viewer'
          ? 'You are a viewer of this gallery: only its owner, its editors and admins may add or change its images.'
          : 'Only the owner of this gallery, its editors and admins may add or change its images.',
      );
    }
    return gallery;
  }

  const groups = createGalleryGroups({ db, audit, requireModifiable });

  const memberEvent = (actor: Actor, action: string, galleryId: number, detail: string) => ({
    action,
    actor,
    target: { type: 'gallery', id: galleryId },
    detail,
    address: actor.address,
  });

  return {
    get,
    visible,
    requireModifiable,
    requireWritable,
    list: (actor: Actor, filter: { ownerId?: number }, options: ListOptions) =>
      repo.listGalleries(reader, viewerOf(actor), filter, options),
    async create(actor: Actor, input: { name: string; description: string; visibility?: Visibility }) {
      const visibility = input.visibility ?? defaultVisibility;
      return get(actor, await repo.insertGallery(db, { ...input, visibility, ownerId: actor.id }));
    },
    async update(actor: Actor, id: number, { coverImage, ...input }: GalleryChanges) {
      const gallery = await requireModifiable(actor, id);
      if (coverImage && !(await repo.isImageOfGallery(db, id, coverImage))) throw noSuchImage();
      const changes = coverImage === undefined ? input : { ...input, coverImageId: coverImage };
      if (input.visibility === undefined || input.visibility === gallery.visibility)
        await repo.updateGallery(db, id, changes);
      else
        await audit.withEvent(
          (tx) => repo.updateGallery(tx, id, changes),
          () => memberEvent(actor, 'gallery.visibility', id, `${gallery.visibility} -> ${input.visibility}`),
        );
      return get(actor, id);
    },
    /**
     * An admin gives the gallery to another user who may own galleries; they stop being a member,
     * and the links the former owner made to it end.
     */
    async transfer(actor: Actor, id: number, username: string) {
      const gallery = await visible(actor, id);
      const user = await members.findUserByUsername(db, username);
      if (!user) throw notFound('No active user with that username');
      if (!permissionsOf(user.role?.name).includes('gallery:create'))
        throw badRequest(`username: ${user.username}'s role may not own galleries.`, [
          { path: 'username', message: 'This user may not own galleries.' },
        ]);
      if (user.id === gallery.ownerId) return get(actor, id);
      await audit.withEvent(
        async (tx) => {
          await members.deleteMember(tx, id, user.id);
          await repo.updateGallery(tx, id, { ownerId: user.id });
          return links.endLinksOfFormerOwner(tx, id, gallery.ownerId, actor);
        },
        (linkEvents) => [
          memberEvent(actor, 'gallery.transfer', id, `owner ${gallery.ownerId} -> ${user.id}`),
          ...linkEvents,
        ],
      );
      return get(actor, id);
    },
    /** The members, users and groups: for the owner, admins and the members themselves. */
    async members(actor: Actor, id: number) {
      const gallery = await visible(actor, id);
      if (!canModifyGallery(actor, gallery) && !gallery.memberRole)
        throw forbidden('Only the owner, the members and admins may see who is a member of this gallery.');
      return { users: await members.listMembers(db, id), groups: await groups.list(id, actor.id) };
    },
    async addMember(actor: Actor, id: number, input: { username: string; role: MemberRole }) {
      const gallery = await requireModifiable(actor, id);
      const user = await members.findUserByUsername(db, input.username);
      if (!user) throw notFound('No active user with that username');
      if (user.id === gallery.ownerId)
        throw badRequest('username: The owner of a gallery is not one of its members.', [
          { path: 'username', message: 'This user owns the gallery.' },
        ]);
      const already = () => conflict(`${user.username} is already a member of this gallery.`);
      // Checked first so that a repeated add needs no transaction; the primary key decides races.
      if (await members.findMember(db, id, user.id)) throw already();
      if ((await members.countMembers(db, id)) >= members.MAX_MEMBERS)
        throw conflict(`A gallery has at most ${members.MAX_MEMBERS} members.`);
      try {
        const member = await audit.withEvent(
          (tx) => members.insertMember(tx, { galleryId: id, userId: user.id, role: input.role }),
          () => memberEvent(actor, 'gallery.member.add', id, `user ${user.id} as ${input.role}`),
          members.BURST,
        );
        return { member, note: editorNote(user.username, input.role, user.role?.name ?? null) };
      } catch (error) {
        if (isUniqueViolation(error)) throw already();
        throw error;
      }
    },
    async changeMember(actor: Actor, id: number, userId: number, role: MemberRole) {
      await requireModifiable(actor, id);
      const current = await members.findMember(db, id, userId);
      if (!current) throw notFound(MEMBER_NOT_FOUND);
      const member = await audit.withEvent(
        (tx) => members.updateMemberRole(tx, id, userId, role),
        () => memberEvent(actor, 'gallery.member.update', id, `user ${userId} as ${role}`),
      );
      return { member, note: editorNote(member.user.username, role, member.user.role?.name ?? null) };
    },
    /** The owner and admins remove anyone; a member may leave. */
    async removeMember(actor: Actor, id: number, userId: number) {
      const gallery = await visible(actor, id);
      const leaving = userId === actor.id && gallery.memberRole !== null;
      if (!leaving && !canModifyGallery(actor, gallery))
        throw forbidden('Only the owner of this gallery or an admin may remove its members; a member may leave.');
      const removed = await audit.withEvent(
        (tx) => members.deleteMember(tx, id, userId),
        () => memberEvent(actor, leaving ? 'gallery.member.leave' : 'gallery.member.remove', id, `user ${userId}`),
      );
      if (!removed) throw notFound(MEMBER_NOT_FOUND);
    },
    /** To the trash (or, with TRASH_DAYS=0, deleted for good with its images and their files). */
    async remove(actor: Actor, id: number) {
      await requireModifiable(actor, id);
      return trash.remove(actor, id);
    },
    trash,
    /** Groups as members: add, change, remove. */
    groups,
  };
}

export type GalleriesService = ReturnType<typeof createGalleriesService>;
