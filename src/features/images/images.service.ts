import type { Database, Transaction } from '../../platform/db/client';
import { isRecordMissing, isUniqueViolation } from '../../platform/db/errors';
import type { SqlReader } from '../../platform/db/sql-reader';
import { newStorageKey } from '../../platform/storage/storage-keys';
import type { Actor } from '../../shared/actor';
import type { Config } from '../../shared/config';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../shared/errors';
import { EXTENSIONS, type ImageMimeType } from '../../shared/image-types';
import type { ListOptions } from '../../shared/paging';
import type { AuditEvent, AuditLog } from '../audit';
import { canWriteToGallery, findGalleryOwner, viewerOf } from '../galleries';
import { processImage } from './image-processing';
import { sha256OfFile, type ImageFiles } from './image-files';
import { createImageDelivery, type FileSize, type RangeFor } from './image-delivery';
import { canModifyImage, canSeeOriginal } from './images.policy';
import * as repo from './images.repository';

/** An upload as received: in a temp file, its type known from its first bytes. */
type UploadedFile = { path: string; size: number; mimeType: ImageMimeType };
/** An upload examined: its SHA-256, and its decode (which refuses a damaged file) with the variants. */
type ExaminedFile = UploadedFile & { sha256: string; processed: Awaited<ReturnType<typeof processImage>> };
type ImageFields = { title?: string; description?: string; gallery?: number };

const IMAGE_NOT_FOUND = 'Image not found';
const CHANGED_MEANWHILE = 'The image changed meanwhile; try again.';
const ORIGINALS_FOR_OWNERS = 'The original file is only for its uploader, the gallery owner and admins; ask for ?size=preview or ?size=thumb.';

/**
 * Runs changes to one image one at a time in this process, so that they queue rather than fail.
 * Only that: across processes, the database settles them (`replaceImageFile`, `markDeleted`: 409).
 */
function perImageQueue() {
  const tails = new Map<number, Promise<unknown>>();
  return async <T>(id: number, work: () => Promise<T>): Promise<T> => {
    const previous = tails.get(id) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    tails.set(id, tail);
    try {
      return await run;
    } finally {
      if (tails.get(id) === tail) tails.delete(id);
    }
  };
}

/** An upload's insert waits this long for the locks of other uploads by the same user. */
const INSERT_TRANSACTION = { maxWait: 15_000, timeout: 15_000 };

export type ImagesDeps = {
  db: Database;
  reader: SqlReader;
  config: Pick<Config, 'maxImagePixels' | 'storageQuotaBytes' | 'originalsVisibleTo'>;
  files: ImageFiles;
  audit: AuditLog;
};

export function createImagesService({ db, reader, files, config, audit }: ImagesDeps) {
  const serially = perImageQueue();
  const delivery = createImageDelivery({ files, config });
  /** The image if the actor may see its gallery; 404 otherwise. */
  async function get(actor: Actor, id: number) {
    const image = await repo.findImage(reader, id, viewerOf(actor));
    if (!image) throw notFound(IMAGE_NOT_FOUND);
    return image;
  }

  /**
   * The gallery must exist and be visible to the actor (400: it is a field of the body) and be
   * theirs to fill: owner, editor or admin (403).
   */
  async function requireTargetGallery(actor: Actor, galleryId: number) {
    const gallery = await findGalleryOwner(db, galleryId, viewerOf(actor));
    if (!gallery) throw badRequest('gallery: No gallery with that id.', [{ path: 'gallery', message: 'No gallery with that id.' }]);
    if (!canWriteToGallery(actor, gallery)) throw forbidden('You can add images only to your own galleries and those you are an editor of.');
  }

  /** The uploader, the gallery's owner, an admin, or an editor of the gallery. */
  async function requireModifiable(actor: Actor, image: repo.ImageRow, doing: string) {
    if (canModifyImage(actor, image)) return;
    const gallery = await findGalleryOwner(db, image.galleryId, viewerOf(actor));
    if (gallery?.memberRole !== 'editor') throw forbidden(`Only the uploader, the gallery owner, its editors or an admin may ${doing} this image.`);
  }

  /**
   * 413 when a file would take `owner` (the user its bytes are counted for: the uploader) past
   * their storage quota; `freedBytes` is what the file replaces.
   */
  async function requireRoom(actor: Actor, owner: { id: number; username: string }, addedBytes: number, freedBytes = 0, within: Transaction = db) {
    const { usedBytes, quotaMb } = await repo.storageUse(within, owner.id);
    const quota = quotaMb === null ? config.storageQuotaBytes : quotaMb * 1024 * 1024;
    if (usedBytes - freedBytes + addedBytes > quota) {
      const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
      const whose = owner.id === actor.id ? 'Storage quota' : `The storage quota of ${owner.username}, who uploaded this image,`;
      throw new AppError('PAYLOAD_TOO_LARGE', `${whose} exceeded: ${mb(usedBytes)} MiB of ${mb(quota)} MiB used; this file needs ${mb(addedBytes)} MiB.`);
    }
  }

  /**
   * In an insert's or a file change's transaction: takes a write lock on the row of the user the
   * bytes are counted for (on SQLite: the database's write lock), so that the quota check that
   * follows sees every other upload of that user that committed before, and none slips in between
   * check and write; and on the gallery, which must not be being deleted.
   */
  async function lockForWrite(tx: Transaction, ownerId: number, galleryId: number) {
    if (!(await repo.lockUserAndGallery(tx, ownerId, galleryId))) {
      throw badRequest('gallery: No gallery with that id.', [{ path: 'gallery', message: 'No gallery with that id.' }]);
    }
  }

  const duplicateIn = (galleryId: number, existingId?: number) =>
    conflict(`Gallery ${galleryId} already has an image with the same bytes${existingId ? ` (image ${existingId})` : ''}.`);

  /**
   * Hashes the upload and decodes it at the same time: the hash on this thread, the decode and the
   * variants on sharp's. A damaged file is refused here (415), before anything is stored.
   */
  async function examine(file: UploadedFile): Promise<ExaminedFile> {
    const [sha256, processed] = await Promise.all([sha256OfFile(file.path), processImage(file.path, file.mimeType, config.maxImagePixels)]);
    return { ...file, sha256, processed };
  }

  /**
   * Stages the examined upload with its variants under a new key: durable on disk, not yet
   * visible. Returns the row fields that describe the file.
   */
  async function prepareFile(file: ExaminedFile) {
    const { variants, ...described } = file.processed;
    const storageKey = newStorageKey(EXTENSIONS[file.mimeType]);
    await files.stage(file.path, storageKey, variants);
    files.faultPoint('upload-staged');
    return { mimeType: file.mimeType, sha256: file.sha256, size: file.size, storageKey, ...described };
  }

  /** Moves the committed row's staged files into place. */
  async function storeFiles(storageKey: string) {
    files.faultPoint('upload-committed');
    await files.store(storageKey);
    files.faultPoint('upload-stored');
  }

  /**
   * Upload: the same bytes already in the gallery give back that image (`created: false`);
   * otherwise temp file → hash and decode, variants → staged (fsync) → row committed → files stored.
   * The unique (gallery, sha256) index settles parallel identical uploads: one row, one file.
   */
  async function create(actor: Actor, input: Required<ImageFields>, received: UploadedFile | undefined) {
    if (!received) throw badRequest('image: This field is required.', [{ path: 'image', message: 'This field is required.' }]);
    let staged: string | undefined;
    try {
      await requireTargetGallery(actor, input.gallery);
      const file = await examine(received);
      const existing = await repo.findImageBySha256(reader, input.gallery, file.sha256, 'anyone');
      if (existing) return { image: existing, created: false };
      await requireRoom(actor, actor, file.size);
      const prepared = await prepareFile(file);
      staged = prepared.storageKey;
      let image: repo.ImageRow;
      try {
        const row = { galleryId: input.gallery, uploaderId: actor.id, title: input.title, description: input.description, ...prepared };
        // Checked again with the insert, under a lock: parallel uploads cannot pass the quota together.
        image = await audit.withEvent(
          async (tx) => {
            await lockForWrite(tx, actor.id, input.gallery);
            await requireRoom(actor, actor, file.size, 0, tx);
            return repo.insertImage(tx, row);
          },
          (created) => ({ action: 'image.upload', actor, target: { type: 'image', id: created.id }, detail: `${created.mimeType} ${created.size} bytes`, address: actor.address }),
          INSERT_TRANSACTION,
        );
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const winner = await repo.findImageBySha256(reader, input.gallery, file.sha256, 'anyone');
        if (!winner) throw conflict('The same image is being deleted from this gallery; try again.');
        return { image: winner, created: false };
      }
      try {
        await storeFiles(prepared.storageKey);
      } catch (error) {
        // Some files may be in place already: the row goes, then every file of the key.
        await audit
          .withEvent(
            (tx) => repo.deleteImage(tx, image.id),
            () => ({ action: 'image.upload', outcome: 'failed', actor, target: { type: 'image', id: image.id }, detail: 'the file could not be stored; the image was taken back', address: actor.address }),
          )
          .catch(() => undefined);
        await files.remove(prepared.storageKey);
        throw error;
      }
      staged = undefined;
      return { image, created: true };
    } finally {
      if (staged) await files.discardStaged(staged);
      await files.discardUpload(received.path);
    }
  }

  async function update(actor: Actor, id: number, input: ImageFields, received: UploadedFile | undefined) {
    try {
      return await serially(id, async () => {
        const image = await get(actor, id);
        await requireModifiable(actor, image, 'change');
        const changes = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
        if (Object.keys(changes).length === 0 && !received) {
          throw badRequest('Send at least one of: title, description, gallery, image.');
        }
        const file = received ? await examine(received) : undefined;
        const galleryId = input.gallery ?? image.galleryId;
        if (galleryId !== image.galleryId) await requireTargetGallery(actor, galleryId);
        const sha256 = file?.sha256 ?? image.sha256;
        const clash = galleryId !== image.galleryId || sha256 !== image.sha256 ? await repo.findImageBySha256(reader, galleryId, sha256, 'anyone') : null;
        if (clash && clash.id !== id) throw duplicateIn(galleryId, clash.id);

        const { gallery, ...fields } = changes as ImageFields;
        const data: Partial<repo.NewImage> = { ...fields, ...(gallery !== undefined ? { galleryId: gallery } : {}) };
        const event = (detail: string, outcome: 'ok' | 'failed' = 'ok') => () =>
          ({ action: 'image.update', outcome, actor, target: { type: 'image', id }, detail, address: actor.address }) as const;
        if (!file) return await saveChanges(actor, image, data, event(`fields=${Object.keys(changes).join(',')}`));

        // The new bytes are counted for the image's uploader, whoever replaces them.
        await requireRoom(actor, image.uploader, file.size, image.size);
        const prepared = await prepareFile(file);
        let updated: repo.ImageRow;
        try {
          updated = await saveChanges(actor, image, { ...data, ...prepared }, event(`new file ${prepared.mimeType} ${prepared.size} bytes`), true);
        } catch (error) {
          await files.discardStaged(prepared.storageKey);
          throw error;
        }
        try {
          await storeFiles(prepared.storageKey);
        } catch (error) {
          const { storageKey, mimeType, size, sha256: oldSha, width, height, orientation, capturedAt, cameraModel, hasGps, thumbhash } = image;
          const previous = { storageKey, mimeType, size, sha256: oldSha, width, height, orientation, capturedAt, cameraModel, hasGps, thumbhash };
          const restored = await audit
            .withEvent((tx) => repo.restoreImageFile(tx, id, prepared.storageKey, previous), event('the new file could not be stored; the previous one was kept', 'failed'))
            .catch(() => null);
          await files.remove(prepared.storageKey);
          if (restored !== false) throw error;
          // Deleted or replaced meanwhile by another process (which removes the new file's): the old file is ours to remove.
          await files.remove(image.storageKey);
          await repo.forgetFileRemoval(db, image.storageKey);
          throw conflict(CHANGED_MEANWHILE);
        }
        await files.remove(image.storageKey);
        await repo.forgetFileRemoval(db, image.storageKey);
        return updated;
      });
    } finally {
      if (received) await files.discardUpload(received.path);
    }
  }

  /**
   * The update itself, with its audit event; a new file is checked against its uploader's quota
   * under a lock, as uploads are. A row deleted meanwhile is 404, a clash with another image of
   * the gallery 409.
   */
  async function saveChanges(actor: Actor, current: repo.ImageRow, data: Partial<repo.NewImage>, event: () => AuditEvent, newFile = false) {
    try {
      return await audit.withEvent(
        async (tx) => {
          if (!newFile) return repo.updateImage(tx, current.id, data);
          await lockForWrite(tx, current.uploaderId, data.galleryId ?? current.galleryId);
          await requireRoom(actor, current.uploader, data.size!, current.size, tx);
          const replaced = await repo.replaceImageFile(tx, current.id, data, current);
          if (!replaced) throw conflict(CHANGED_MEANWHILE);
          return replaced;
        },
        event,
        newFile ? INSERT_TRANSACTION : undefined,
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateIn(data.galleryId ?? current.galleryId);
      if (isRecordMissing(error)) throw notFound(IMAGE_NOT_FOUND);
      throw error;
    }
  }

  /** Delete: the row is marked (hidden at once), the files removed, then the row. */
  async function remove(actor: Actor, id: number) {
    await serially(id, async () => {
      const image = await get(actor, id);
      await requireModifiable(actor, image, 'delete');
      await audit.withEvent(
        async (tx) => {
          const marked = await repo.markDeleted(tx, id, image.storageKey);
          if (marked === 'changed') throw conflict(CHANGED_MEANWHILE);
          if (marked === 'gone') throw notFound(IMAGE_NOT_FOUND);
        },
        () => ({ action: 'image.delete', actor, target: { type: 'image', id }, address: actor.address }),
      );
      files.faultPoint('delete-marked');
      await files.remove(image.storageKey);
      await repo.deleteImage(db, id);
    });
  }

  return {
    get,
    findBySha256: (actor: Actor, galleryId: number, sha256: string) => repo.findImageBySha256(reader, galleryId, sha256, viewerOf(actor)),
    list: (actor: Actor, filter: { galleryId?: number; uploaderId?: number }, options: ListOptions) => repo.listImages(reader, viewerOf(actor), filter, options),
    create,
    update,
    remove,
    async openFile(actor: Actor, id: number, size: FileSize | undefined, rangeFor?: RangeFor) {
      const image = await get(actor, id);
      return delivery.openFile(image, size, canSeeOriginal(actor, image, config.originalsVisibleTo), ORIGINALS_FOR_OWNERS, rangeFor);
    },
    /** The images of one gallery, for a caller that has established access to it another way (a share link). */
    listInGallery: (galleryId: number, options: ListOptions) => repo.listImages(reader, 'anyone', { galleryId }, options),
    /** An image's file, when the image is in `galleryId` (404 otherwise), for the same callers. */
    async openFileInGallery(galleryId: number, imageId: number, size: FileSize | undefined, mayOriginal: boolean, rangeFor?: RangeFor) {
      const image = await repo.findImage(reader, imageId, 'anyone');
      if (!image || image.galleryId !== galleryId) throw notFound(IMAGE_NOT_FOUND);
      return delivery.openFile(image, size, mayOriginal, 'The original file is not shared through this link; ask for ?size=preview or ?size=thumb.', rangeFor);
    },
  };
}

export type ImagesService = ReturnType<typeof createImagesService>;
