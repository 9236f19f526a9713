import { randomUUID } from 'node:crypto';
import type { Actor } from '../auth/actor';
import type { AppDeps } from '../deps';
import { canModifyGallery } from '../galleries/galleries.policy';
import { findGalleryOwner } from '../galleries/galleries.repository';
import { AppError, badRequest, forbidden, notFound } from '../http/errors';
import { EXTENSIONS, inspectImage, type ImageMimeType } from './image-inspection';
import { canModifyImage } from './images.policy';
import * as repo from './images.repository';
import type { ListOptions } from '../http/listing';

type UploadedFile = { path: string; size: number; sha256: string; mimeType: ImageMimeType };
type ImageFields = { title?: string; description?: string; gallery?: number };

const IMAGE_NOT_FOUND = 'Image not found';

export function createImagesService({ db, reader, storage, logger, config }: Pick<AppDeps, 'db' | 'reader' | 'storage' | 'logger' | 'config'>) {
  async function get(id: number) {
    const image = await repo.findImage(reader, id);
    if (!image) throw notFound(IMAGE_NOT_FOUND);
    return image;
  }

  /** The gallery must exist (400: it is a field of the body) and be the actor's to fill (403). */
  async function requireTargetGallery(actor: Actor, galleryId: number) {
    const gallery = await findGalleryOwner(db, galleryId);
    if (!gallery) throw badRequest('gallery: No gallery with that id.', [{ path: 'gallery', message: 'No gallery with that id.' }]);
    if (!canModifyGallery(actor, gallery)) throw forbidden('You can add images only to your own galleries.');
  }

  /** Type, hash and dimensions of an uploaded file, and the key it will be stored under. */
  async function prepareFile(file: UploadedFile) {
    const { width, height } = await inspectImage(file.path, file.mimeType, config.maxImagePixels);
    const storageKey = `${randomUUID().replaceAll('-', '')}.${EXTENSIONS[file.mimeType]}`;
    return { mimeType: file.mimeType, sha256: file.sha256, size: file.size, width, height, storageKey };
  }

  /** 413 when this file would take the actor past their storage quota. */
  async function requireRoom(actor: Actor, addedBytes: number, freedBytes = 0) {
    const { usedBytes, quotaMb } = await repo.storageUse(db, actor.id);
    const quota = quotaMb === null ? config.storageQuotaBytes : quotaMb * 1024 * 1024;
    if (usedBytes - freedBytes + addedBytes > quota) {
      const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
      throw new AppError('PAYLOAD_TOO_LARGE', `Storage quota exceeded: ${mb(usedBytes)} MiB of ${mb(quota)} MiB used; this file needs ${mb(addedBytes)} MiB.`);
    }
  }

  async function deleteFileQuietly(key: string) {
    await storage.delete(key).catch((error: unknown) => {
      logger.error('could not delete image file', { key, error: String(error) });
    });
  }

  async function create(actor: Actor, input: Required<ImageFields>, file: UploadedFile | undefined) {
    try {
      if (!file) throw badRequest('image: This field is required.', [{ path: 'image', message: 'This field is required.' }]);
      await requireTargetGallery(actor, input.gallery);
      await requireRoom(actor, file.size);
      const prepared = await prepareFile(file);
      const image = await repo.insertImage(db, {
        galleryId: input.gallery,
        uploaderId: actor.id,
        title: input.title,
        description: input.description,
        ...prepared,
      });
      try {
        await storage.putFromTemp(file.path, prepared.storageKey);
      } catch (error) {
        await repo.deleteImage(db, image.id).catch(() => undefined);
        throw error;
      }
      return image;
    } finally {
      if (file) await storage.discardTemp(file.path);
    }
  }

  async function update(actor: Actor, id: number, input: ImageFields, file: UploadedFile | undefined) {
    try {
      const image = await get(id);
      if (!canModifyImage(actor, image)) throw forbidden('Only the uploader, the gallery owner or an admin may change this image.');
      const changes = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
      if (Object.keys(changes).length === 0 && !file) {
        throw badRequest('Send at least one of: title, description, gallery, image.');
      }
      if (input.gallery !== undefined && input.gallery !== image.galleryId) await requireTargetGallery(actor, input.gallery);
      const { gallery, ...fields } = changes as ImageFields;
      const data: Partial<repo.NewImage> = { ...fields, ...(gallery !== undefined ? { galleryId: gallery } : {}) };
      if (!file) return await repo.updateImage(db, id, data, image);

      await requireRoom(actor, file.size, image.uploaderId === actor.id ? image.size : 0);
      const prepared = await prepareFile(file);
      const updated = await repo.updateImage(db, id, { ...data, ...prepared }, image);
      try {
        await storage.putFromTemp(file.path, prepared.storageKey);
      } catch (error) {
        const { storageKey, mimeType, size, sha256, width, height } = image;
        await repo.updateImage(db, id, { storageKey, mimeType, size, sha256, width, height }, image).catch(() => undefined);
        throw error;
      }
      await deleteFileQuietly(image.storageKey);
      return updated;
    } finally {
      if (file) await storage.discardTemp(file.path);
    }
  }

  async function remove(actor: Actor, id: number) {
    const image = await get(id);
    if (!canModifyImage(actor, image)) throw forbidden('Only the uploader, the gallery owner or an admin may delete this image.');
    await repo.deleteImage(db, id);
    await deleteFileQuietly(image.storageKey);
  }

  /** The image and its file; `rangeFor` picks the byte range to read from the file's size. */
  async function openFile(id: number, rangeFor?: (size: number) => { start: number; end: number } | undefined) {
    const image = await get(id);
    const range = rangeFor?.(image.size);
    const file = await storage.open(image.storageKey, range);
    return { image, range, ...file };
  }

  return {
    get,
    list: (filter: { galleryId?: number; uploaderId?: number }, options: ListOptions) => repo.listImages(reader, filter, options),
    create,
    update,
    remove,
    openFile,
  };
}

export type ImagesService = ReturnType<typeof createImagesService>;
