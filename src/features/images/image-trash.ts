import type { Actor } from '../../shared/actor';
import { conflict, notFound } from '../../shared/errors';
import type { AuditEvent } from '../audit';
import { canModifyGallery, NOT_IN_TRASH, purgeAtOf, trashEvent, type DeleteOutcome, type Purger } from '../galleries';
import * as repo from './image-trash.repository';
import { CHANGED_MEANWHILE, IMAGE_NOT_FOUND, type ImagesDeps } from './image-writes';
import { deleteImage, type ImageRow } from './images.repository';

const notInTrash = () => notFound(NOT_IN_TRASH);

/**
 * An image's way into the trash, back, and out for good. Who may: write access to its gallery to
 * put it in and take it out (as for a delete), the gallery's owner or an admin to delete it for
 * good. An image whose gallery is in the trash comes back with its gallery, not on its own (409).
 */
export function createImageTrash({ db, files, audit, galleries, config }: ImagesDeps) {
  /** The trashed image and its gallery (also when that is in the trash), when the actor may see the gallery. */
  async function trashedFor(actor: Actor, id: number) {
    const image = await repo.findTrashedImage(db, id);
    if (!image) throw notInTrash();
    const gallery = await galleries.visible(actor, image.galleryId, { inTrash: true, missing: notInTrash });
    return { image, gallery };
  }

  /** The trashed image, when the actor may delete it for good (its gallery's owner, an admin); 404 otherwise. */
  async function mayPurge(actor: Actor, id: number) {
    const found = await trashedFor(actor, id);
    if (!canModifyGallery(actor, found.gallery)) throw notInTrash();
    return found;
  }

  return {
    /** In a delete's transaction (access checked): into the trash. 409 when it changed meanwhile, 404 when gone. */
    async moveToTrash(actor: Actor, current: ImageRow, eventOf: () => AuditEvent): Promise<DeleteOutcome> {
      const at = new Date();
      await audit.withEvent(async (tx) => {
        await galleries.requireWritable(actor, current.galleryId, {
          within: tx,
          missing: () => notFound(IMAGE_NOT_FOUND),
        });
        const outcome = await repo.trashImage(tx, current, actor.id, at);
        if (outcome === 'changed') throw conflict(CHANGED_MEANWHILE);
        if (outcome === 'gone') throw notFound(IMAGE_NOT_FOUND);
      }, eventOf);
      return { trashed: true, purgeAt: purgeAtOf(at, config.trashDays) };
    },

    /** Back into its gallery, as it was: for whoever may write to that gallery now. */
    async restore(actor: Actor, id: number) {
      const { image } = await trashedFor(actor, id);
      const gallery = await galleries.requireWritable(actor, image.galleryId, { inTrash: true, missing: notInTrash });
      if (gallery.trashed) {
        throw conflict(
          `Image ${id} is in gallery ${image.galleryId}, which is in the trash: restore the gallery first.`,
        );
      }
      await audit.withEvent(
        async (tx) => {
          await galleries.requireWritable(actor, image.galleryId, { within: tx, missing: notInTrash });
          if (!(await repo.untrashImage(tx, id, image.galleryId))) throw notInTrash();
        },
        () => trashEvent('image.restore', 'image', id, { actor }),
      );
    },

    /** Deleted for good, its files with it: by its gallery's owner or an admin, or when its time is up. */
    /** Whether it was purged (false: not in the trash any more, or not expired, when the purge is by expiry). */
    async purge(by: Purger, id: number): Promise<boolean> {
      const image = 'actor' in by ? (await mayPurge(by.actor, id)).image : await repo.findTrashedImage(db, id);
      if (!image) return false;
      const before = 'expired' in by ? by.expired.before : undefined;
      const marked = await audit.withEvent(
        async (tx) => {
          const done = await repo.markTrashedDeleted(tx, id, before);
          if (!done && !before) throw notInTrash();
          return done;
        },
        // No event when nothing was marked: restored, or purged by another, meanwhile.
        (done) => (done ? trashEvent('image.purge', 'image', id, by) : []),
      );
      if (!marked) return false; // restored, or purged by another, since it was found expired
      files.faultPoint('trash-purge-marked');
      await files.retire(image.storageKey, () => deleteImage(db, id));
      return true;
    },

    /** Images put in the trash before `before` (at most `limit`). */
    trashedBefore: (before: Date, limit: number) => repo.imagesTrashedBefore(db, before, limit),

    /** 409 naming the image in the trash with these bytes in this gallery, if there is one. */
    async refuseTrashedDuplicate(galleryId: number, sha256: string) {
      const trashed = await repo.findTrashedBySha256(db, galleryId, sha256);
      if (trashed) {
        throw conflict(
          `Gallery ${galleryId} has an image with the same bytes in the trash (image ${trashed.id}): restore it instead.`,
        );
      }
    },
  };
}

export type ImageTrash = ReturnType<typeof createImageTrash>;
