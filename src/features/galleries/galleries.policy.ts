import { isAdmin, type Actor } from '../../shared/actor';

type GalleryOwnership = { ownerId: number };

/** Who may change or delete a gallery, or add images to it: its owner or an admin. */
export function canModifyGallery(actor: Actor, gallery: GalleryOwnership): boolean {
  return isAdmin(actor) || gallery.ownerId === actor.id;
}
