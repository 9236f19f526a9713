import type { Database, Transaction } from '../../platform/db/client';
import type { SqlReader } from '../../platform/db/sql-reader';
import type { Actor } from '../../shared/actor';
import { forbidden, notFound } from '../../shared/errors';
import type { FaultPointHook } from '../../shared/fault-points';
import type { ListOptions } from '../../shared/paging';
import type { AuditLog } from '../audit';
import { canModifyGallery } from './galleries.policy';
import * as repo from './galleries.repository';

/**
 * What a gallery's delete needs from its images (a feature above this one): given by the app's
 * wiring, so that the arrow between the two features points one way.
 */
export type GalleryImages = {
  /** In the delete's transaction: marks every image of the gallery deleted; returns their storage keys. */
  markAllDeleted(tx: Transaction, galleryId: number): Promise<string[]>;
  /** Removes an image's stored files. */
  removeFiles(storageKey: string): Promise<void>;
};

export type GalleriesDeps = { db: Database; reader: SqlReader; audit: AuditLog; images: GalleryImages; faultPoint: FaultPointHook };

const GALLERY_NOT_FOUND = 'Gallery not found';

export function createGalleriesService({ db, reader, audit, images, faultPoint }: GalleriesDeps) {
  async function get(id: number) {
    const gallery = await repo.findGallery(db, id);
    if (!gallery) throw notFound(GALLERY_NOT_FOUND);
    return gallery;
  }

  async function requireModifiable(actor: Actor, id: number) {
    const gallery = await repo.findGalleryOwner(db, id);
    if (!gallery) throw notFound(GALLERY_NOT_FOUND);
    if (!canModifyGallery(actor, gallery)) throw forbidden('Only the owner of this gallery or an admin may change it.');
    return gallery;
  }

  return {
    get,
    /** The gallery an actor may add images to; 404 when missing, 403 when not theirs. */
    requireModifiable,
    list: (filter: { ownerId?: number }, options: ListOptions) => repo.listGalleries(reader, filter, options),
    create: (actor: Actor, input: { name: string; description: string }) =>
      repo.insertGallery(db, { ...input, ownerId: actor.id }),
    async update(actor: Actor, id: number, input: { name?: string; description?: string }) {
      await requireModifiable(actor, id);
      return repo.updateGallery(db, id, input);
    },
    /**
     * Deletes the gallery and its images the crash-safe way: the gallery and its image rows marked
     * (hidden at once), the files removed, then the rows. The storage check finishes a delete that
     * a crash interrupted.
     */
    async remove(actor: Actor, id: number) {
      await requireModifiable(actor, id);
      const keys = await audit.withEvent(
        async (tx) => {
          if (!(await repo.markGalleryDeleted(tx, id))) throw notFound(GALLERY_NOT_FOUND);
          return images.markAllDeleted(tx, id);
        },
        () => ({ action: 'gallery.delete', actor, target: { type: 'gallery', id }, address: actor.address }),
      );
      faultPoint('gallery-delete-marked');
      for (const key of keys) await images.removeFiles(key);
      await repo.deleteGallery(db, id);
    },
  };
}

export type GalleriesService = ReturnType<typeof createGalleriesService>;
