import type { AuditLog } from '../audit/audit.log';
import type { Actor } from '../auth/actor';
import type { AppDeps } from '../deps';
import { forbidden, notFound } from '../http/errors';
import { canModifyGallery } from './galleries.policy';
import * as repo from './galleries.repository';
import type { ListOptions } from '../http/listing';
import type { ImageFiles } from '../images/image-files';

const GALLERY_NOT_FOUND = 'Gallery not found';

export function createGalleriesService({ db, reader, files, audit }: Pick<AppDeps, 'db' | 'reader'> & { files: ImageFiles; audit: AuditLog }) {
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
          const marked = await repo.markGalleryDeleted(tx, id);
          if (!marked) throw notFound(GALLERY_NOT_FOUND);
          return marked;
        },
        () => ({ action: 'gallery.delete', actor, target: { type: 'gallery', id }, address: actor.address }),
      );
      files.faultPoint('gallery-delete-marked');
      for (const key of keys) await files.remove(key);
      await repo.deleteGallery(db, id);
    },
  };
}

export type GalleriesService = ReturnType<typeof createGalleriesService>;
