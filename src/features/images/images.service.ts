import type { Actor } from '../../shared/actor';
import { notFound } from '../../shared/errors';
import type { ListOptions } from '../../shared/paging';
import { viewerOf } from '../galleries';
import { createFavorites } from './favorites.service';
import { createImageChanges } from './image-changes';
import { createImageDelivery, type FileSize, type RangeFor } from './image-delivery';
import { createImageExtras } from './image-extras';
import type { ImageListFilter } from './image-search';
import { createImageTags } from './image-tags.service';
import { createImageTrash } from './image-trash';
import { createImageUploads } from './image-uploads';
import { createWriteRules, IMAGE_NOT_FOUND, ORIGINALS_FOR_OWNERS, type ImagesDeps } from './image-writes';
import { canSeeOriginal, seesEveryOriginal } from './images.policy';
import * as repo from './images.repository';
import { createPageCache } from './page-cache';
import { createTagCatalog } from './tag-catalog.service';

export type { ImagesDeps };

/** Images: reads and files here; uploads and changes in their own modules, on shared write rules. */
export function createImagesService(deps: ImagesDeps) {
  const { reader, files, config } = deps;
  const pages = createPageCache(() => reader.commitMark(), config.pageCacheBytes);
  const delivery = createImageDelivery({ files, config });
  const rules = createWriteRules(deps);
  const { get } = rules;
  const trash = createImageTrash(deps);
  const { create } = createImageUploads(deps, rules, trash);
  const changes = createImageChanges(deps, rules, { ...trash, enabled: config.trashDays > 0 });
  const { remove } = changes;
  // What a reply shows besides the row (tags, the caller's star): added to every image returned.
  const extras = createImageExtras(reader);

  return {
    get: async (actor: Actor, id: number) => extras.one(actor, await get(actor, id)),
    findBySha256: async (actor: Actor, galleryId: number, sha256: string) => {
      const image = await repo.findImageBySha256(reader, galleryId, sha256, viewerOf(actor));
      return image && extras.one(actor, image);
    },
    list: async (actor: Actor, filter: ImageListFilter, options: ListOptions) =>
      extras.page(actor, await repo.listImages(reader, viewerOf(actor), filter, options)),
    /**
     * The same page, each image as its reply's JSON text, written by the database; kept while the
     * database does not change (page-cache.ts), under everything the text depends on.
     */
    async listJson(actor: Actor, filter: ImageListFilter, options: ListOptions, baseUrl: string) {
      const key = JSON.stringify([actor.id, actor.role, baseUrl, filter, options]);
      const found = pages ? await pages.get(key) : undefined;
      deps.onPageCache?.(found ? (found.page ? 'hit' : 'miss') : 'off');
      if (found?.page) return found.page;
      const page = await repo.listImagesJson(reader, viewerOf(actor), filter, options, {
        baseUrl,
        allOriginals: seesEveryOriginal(actor, config.originalsVisibleTo),
        userId: actor.id,
      });
      if (pages && found) pages.set(key, page, found.mark);
      return page;
    },
    create: async (...args: Parameters<typeof create>) => {
      const outcome = await create(...args);
      return { ...outcome, image: await extras.one(args[0], outcome.image) };
    },
    update: async (...args: Parameters<typeof changes.update>) => extras.one(args[0], await changes.update(...args)),
    tags: createImageTags(deps, rules, extras),
    favorites: createFavorites(deps, rules, extras),
    tagCatalog: createTagCatalog(deps),
    remove,
    trash,
    async openFile(actor: Actor, id: number, size: FileSize | undefined, rangeFor?: RangeFor) {
      const image = await get(actor, id);
      return delivery.openFile(
        image,
        size,
        canSeeOriginal(actor, image, config.originalsVisibleTo),
        ORIGINALS_FOR_OWNERS,
        rangeFor,
      );
    },
    /** The images of one gallery, for a caller that has established access to it another way (a share link). */
    listInGallery: async (galleryId: number, options: ListOptions) =>
      extras.page(null, await repo.listImages(reader, 'anyone', { galleryId }, options)),
    /** An image's file, when the image is in `galleryId` (404 otherwise), for the same callers. */
    async openFileInGallery(
      galleryId: number,
      imageId: number,
      size: FileSize | undefined,
      mayOriginal: boolean,
      rangeFor?: RangeFor,
    ) {
      const image = await repo.findImage(reader, imageId, 'anyone');
      if (!image || image.galleryId !== galleryId) throw notFound(IMAGE_NOT_FOUND);
      return delivery.openFile(
        image,
        size,
        mayOriginal,
        'The original file is not shared through this link; ask for ?size=preview or ?size=thumb.',
        rangeFor,
      );
    },
  };
}

export type ImagesService = ReturnType<typeof createImagesService>;
