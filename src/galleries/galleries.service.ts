import type { Actor } from '../auth/actor';
import type { AppDeps } from '../deps';
import { forbidden, notFound } from '../http/errors';
import { canModifyGallery } from './galleries.policy';
import * as repo from './galleries.repository';
import type { ListOptions } from '../http/listing';
import type { ImageFiles } from '../images/image-files';
import { markGalleryImagesDeleted } from '../images/images.repository';

const GALLERY_NOT_FOUND = 'Gallery not found';

export function createGalleriesService({ db, reader, files }: Pick<AppDeps, 'db' | 'reader'> & { files: ImageFiles }) {
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
     * Deletes the gallery and its images the crash-safe way: image rows marked (hidden), their
     * files removed, then the rows. A crash part-way leaves marked rows the storage check finishes.
     */
    async remove(actor: Actor, id: number) {
      await requireModifiable(actor, id);
      const keys = await markGalleryImagesDeleted(db, id);
      for (const key of keys) await files.remove(key);
      await repo.deleteGallery(db, id);
    },
  };
}

export type GalleriesService = ReturnType<typeof createGalleriesService>;
