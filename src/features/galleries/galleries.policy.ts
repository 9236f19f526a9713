import { isAdmin, type Actor } from '../../shared/actor';
import type { MemberRole } from './galleries.access';

type GalleryOwnership = { ownerId: number };

/** Who may change or delete a gallery, its visibility, members and links: its owner or an admin. */
export function canModifyGallery(actor: Actor, gallery: GalleryOwnership): boolean {
  return isAdmin(actor) || gallery.ownerId === actor.id;
}

/**
 * Who may add images to a gallery and change or delete any of them: its owner, an admin, or an
 * editor. The routes have already checked that the actor's role may write at all: membership
 * never lets a view-only role write.
 */
export function canWriteToGallery(
  actor: Actor,
  gallery: GalleryOwnership & { memberRole: MemberRole | null },
): boolean {
  return canModifyGallery(actor, gallery) || gallery.memberRole === 'editor';
}
