import { isAdmin, type Actor } from '../../shared/actor';

type ImageOwnership = { uploaderId: number; gallery: { ownerId: number } };

/** The image's own people: whoever uploaded its file, the owner of its gallery, an admin. */
function isImageOwner(actor: Actor, image: ImageOwnership): boolean {
  return isAdmin(actor) || image.uploaderId === actor.id || image.gallery.ownerId === actor.id;
}

/**
 * Who may fetch the original file, with its EXIF (GPS position included): the image's own people,
 * unless the server is set to show originals to every viewer (ORIGINALS_VISIBLE_TO=everyone).
 */
export function canSeeOriginal(actor: Actor, image: ImageOwnership, visibleTo: 'owners' | 'everyone'): boolean {
  return visibleTo === 'everyone' || isImageOwner(actor, image);
}

/**
 * Whether `actor` may fetch every original, whoever's: the rest of `canSeeOriginal` depends on the
 * image (its uploader, its gallery's owner), which a reply built by the database checks in SQL.
 */
export function seesEveryOriginal(actor: Actor, visibleTo: 'owners' | 'everyone'): boolean {
  return visibleTo === 'everyone' || isAdmin(actor);
}

/**
 * Who may take an image out of its gallery into another: the image's own people, and only they.
 * Every change also needs write access to the image's gallery (its owner, an editor, an admin) and
 * a move write access to the destination: an editor may change someone else's image where it is,
 * but not carry it off to a gallery of their own, where its original would be theirs to fetch and
 * its gallery's owner could no longer see it.
 */
export function canTakeOut(actor: Actor, image: ImageOwnership): boolean {
  return isImageOwner(actor, image);
}
