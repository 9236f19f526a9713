import { isAdmin, type Actor } from '../auth/actor';

type ImageOwnership = { uploaderId: number; gallery: { ownerId: number } };

/** Who may change or delete an image: its uploader, the owner of its gallery, or an admin. */
export function canModifyImage(actor: Actor, image: ImageOwnership): boolean {
  return isAdmin(actor) || image.uploaderId === actor.id || image.gallery.ownerId === actor.id;
}
