import { isAdmin, type Actor } from '../../shared/actor';

type ImageOwnership = { uploaderId: number; gallery: { ownerId: number } };

/** Who may change or delete an image: its uploader, the owner of its gallery, or an admin. */
export function canModifyImage(actor: Actor, image: ImageOwnership): boolean {
  return isAdmin(actor) || image.uploaderId === actor.id || image.gallery.ownerId === actor.id;
}

/**
 * Who may fetch the original file, with its EXIF (GPS position included): the same people, unless
 * the server is set to show originals to every viewer (ORIGINALS_VISIBLE_TO=everyone).
 */
export function canSeeOriginal(actor: Actor, image: ImageOwnership, visibleTo: 'owners' | 'everyone'): boolean {
  return visibleTo === 'everyone' || canModifyImage(actor, image);
}
