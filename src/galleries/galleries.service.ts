import type { Actor } from '../auth/actor';
import type { AppDeps } from '../deps';
import { forbidden, notFound } from '../http/errors';
import { canModifyGallery } from './galleries.policy';
import * as repo from './galleries.repository';
import type { ListOptions } from '../http/listing';

const GALLERY_NOT_FOUND = 'Gallery not found';

export function createGalleriesService({ db, reader, storage, logger }: Pick<AppDeps, 'db' | 'reader' | 'storage' | 'logger'>) {
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
      const current = await requireModifiable(actor, id);
      return repo.updateGallery(db, id, input, current);
    },
    /** Deletes the gallery and its images; files go once the rows are gone. */
    async remove(actor: Actor, id: number) {
      await requireModifiable(actor, id);
      const keys = await repo.deleteGalleryWithImages(db, id);
      for (const key of keys) {
        await storage.delete(key).catch((error: unknown) => {
          logger.error('could not delete image file', { key, error: String(error) });
        });
      }
    },
  };
}

export type GalleriesService = ReturnType<typeof createGalleriesService>;
