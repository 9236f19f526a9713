import type { Database } from '../../platform/db/client';
import * as repo from './galleries.repository';
import type { GalleryImages } from './galleries.service';

/**
 * Finishes the deletes of galleries that began and were cut short (a crash between marking a
 * gallery and removing it): each one's images are marked and their files removed, then the
 * gallery goes. For the storage check; returns the ids it finished.
 */
export async function finishBegunGalleryDeletes(db: Database, images: GalleryImages, signal?: AbortSignal) {
  const finished: number[] = [];
  for (const galleryId of await repo.galleriesBeingDeleted(db)) {
    if (signal?.aborted) break;
    for (const key of await images.markAllDeleted(db, galleryId)) await images.removeFiles(key);
    await repo.deleteGallery(db, galleryId);
    finished.push(galleryId);
  }
  return finished;
}
