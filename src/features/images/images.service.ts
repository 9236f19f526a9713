import type { Database, Transaction } from '../../platform/db/client';
import { isUniqueViolation } from '../../platform/db/errors';
import type { SqlReader } from '../../platform/db/sql-reader';
import { newStorageKey } from '../../platform/storage/storage-keys';
import type { Actor } from '../../shared/actor';
import type { Config } from '../../shared/config';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../shared/errors';
import { EXTENSIONS, type ImageMimeType } from '../../shared/image-types';
import type { ListOptions } from '../../shared/paging';
import type { AuditEvent, AuditLog } from '../audit';
import { viewerOf, type GalleriesService } from '../galleries';
import { fileColumnsOf } from './image-columns';
import { createImageDelivery, type FileSize, type RangeFor } from './image-delivery';
import { sha256OfFile, type ImageFiles } from './image-files';
import { processImage } from './image-processing';
import { canSeeOriginal, canTakeOut } from './images.policy';
import * as repo from './images.repository';

/** An upload as received: in a temp file, its type known from its first bytes. */
type UploadedFile = { path: string; size: number; mimeType: ImageMimeType };
/** An upload examined: its SHA-256, and its decode (which refuses a damaged file) with the variants. */
type ExaminedFile = UploadedFile & { sha256: string; processed: Awaited<ReturnType<typeof processImage>> };
type ImageFields = { title?: string; description?: string; gallery?: number };

const IMAGE_NOT_FOUND = 'Image not found';
const CHANGED_MEANWHILE = 'The image changed meanwhile; try again.';
const ORIGINALS_FOR_OWNERS =
  'The original file is only for its uploader, the gallery owner and admins; ask for ?size=preview or ?size=thumb.';
const TAKE_OUT = 'Only the owner of its gallery, its uploader or an admin may move this image to another gallery.';
const imageNotFound = () => notFound(IMAGE_NOT_FOUND);
/** A gallery the caller cannot see, named in the body: a bad field, not a missing resource. */
const noSuchGallery = () =>
  badRequest('gallery: No gallery with that id.', [{ path: 'gallery', message: 'No gallery with that id.' }]);

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
  /** Write access to galleries: the one check of it, in the galleries feature. */
  galleries: Pick<GalleriesService, 'requireWritable'>;
};

export function createImagesService({ db, reader, files, config, audit, galleries }: ImagesDeps) {
  const serially = perImageQueue();
  const delivery = createImageDelivery({ files, config });
  /** The image if the actor may see its gallery; 404 otherwise. */
  async function get(actor: Actor, id: number) {
    const image = await repo.findImage(reader, id, viewerOf(actor));
    if (!image) throw imageNotFound();
    return image;
  }

  /**
   * A change to an existing image needs write access to its gallery now (its owner, an editor, an
   * admin: having uploaded the image is not enough once that access ended); a move also needs the
   * right to take the image out (`canTakeOut`) and write access to the destination. Checked before
   * the work and again, from `within`, in the committing transaction.
   */
  async function authorizeChange(actor: Actor, image: repo.ImageRow, destination?: number, within: Transaction = db) {
    await galleries.requireWritable(actor, image.galleryId, { within, missing: imageNotFound });
    if (destination === undefined || destination === image.galleryId) return;
    if (!canTakeOut(actor, image)) throw forbidden(TAKE_OUT);
    await galleries.requireWritable(actor, destination, { within, missing: noSuchGallery });
  }

  /** 413 when `addedBytes` would take the actor past their storage quota; `freedBytes` is what the file replaces. */
  async function requireRoom(actor: Actor, addedBytes: number, freedBytes = 0, within: Transaction = db) {
    const { usedBytes, quotaMb } = await repo.storageUse(within, actor.id);
    const quota = quotaMb === null ? config.storageQuotaBytes : quotaMb * 1024 * 1024;
    if (usedBytes - freedBytes + addedBytes > quota) {
      const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `Storage quota exceeded: ${mb(usedBytes)} MiB of ${mb(quota)} MiB used; this file needs ${mb(addedBytes)} MiB.`,
      );
    }
  }

  /** A write that matched no row: the image was moved, replaced or deleted meanwhile (409), or is gone (404). */
  async function changedOrGone(id: number): Promise<never> {
    if (await repo.findImage(reader, id, 'anyone')) throw conflict(CHANGED_MEANWHILE);
    throw notFound(IMAGE_NOT_FOUND);
  }

  /**
   * In an insert's or a file change's transaction: takes a write lock on the row of the user the
   * bytes are counted for (on SQLite: the database's write lock), so that the quota check that
   * follows sees every other upload of that user that committed before, and none slips in between
   * check and write; and on the gallery, which must not be being deleted.
   */
  async function lockForWrite(tx: Transaction, ownerId: number, galleryId: number) {
    if (!(await repo.lockUserAndGallery(tx, ownerId, galleryId))) {
      throw noSuchGallery();
    }
  }

  const duplicateIn = (galleryId: number, existingId?: number) =>
    conflict(
      `Gallery ${galleryId} already has an image with the same bytes${existingId ? ` (image ${existingId})` : ''}.`,
    );

  /**
   * Hashes the upload and decodes it at the same time: the hash on this thread, the decode and the
   * variants on sharp's. A damaged file is refused here (415), before anything is stored.
   */
  async function examine(file: UploadedFile): Promise<ExaminedFile> {
    const [sha256, processed] = await Promise.all([
      sha256OfFile(file.path),
      processImage(file.path, file.mimeType, config.maxImagePixels),
    ]);
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
    if (!received)
      throw badRequest('image: This field is required.', [{ path: 'image', message: 'This field is required.' }]);
    let staged: string | undefined;
    try {
      await galleries.requireWritable(actor, input.gallery, { missing: noSuchGallery });
      const file = await examine(received);
      const existing = await repo.findImageBySha256(reader, input.gallery, file.sha256, 'anyone');
      if (existing) return { image: existing, created: false };
      await requireRoom(actor, file.size);
      const prepared = await prepareFile(file);
      staged = prepared.storageKey;
      let image: repo.ImageRow;
      try {
        const row = {
          galleryId: input.gallery,
          uploaderId: actor.id,
          title: input.title,
          description: input.description,
          ...prepared,
        };
        // Checked again with the insert, under a lock: parallel uploads cannot pass the quota together.
        image = await audit.withEvent(
          async (tx) => {
            await lockForWrite(tx, actor.id, input.gallery);
            await galleries.requireWritable(actor, input.gallery, { within: tx, missing: noSuchGallery });
            await requireRoom(actor, file.size, 0, tx);
            return repo.insertImage(tx, row);
          },
          (created) => ({
            action: 'image.upload',
            actor,
            target: { type: 'image', id: created.id },
            detail: `${created.mimeType} ${created.size} bytes`,
            address: actor.address,
          }),
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
            () => ({
              action: 'image.upload',
              outcome: 'failed',
              actor,
              target: { type: 'image', id: image.id },
              detail: 'the file could not be stored; the image was taken back',
              address: actor.address,
            }),
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
        await authorizeChange(actor, image, input.gallery);
        const changes = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
        if (Object.keys(changes).length === 0 && !received) {
          throw badRequest('Send at least one of: title, description, gallery, image.');
        }
        const file = received ? await examine(received) : undefined;
        const galleryId = input.gallery ?? image.galleryId;
        const sha256 = file?.sha256 ?? image.sha256;
        const clash =
          galleryId !== image.galleryId || sha256 !== image.sha256
            ? await repo.findImageBySha256(reader, galleryId, sha256, 'anyone')
            : null;
        if (clash && clash.id !== id) throw duplicateIn(galleryId, clash.id);

        const { gallery, ...fields } = changes as ImageFields;
        const data: Partial<repo.NewImage> = { ...fields, ...(gallery !== undefined ? { galleryId: gallery } : {}) };
        const event =
          (detail: string, outcome: 'ok' | 'failed' = 'ok') =>
          () =>
            ({
              action: 'image.update',
              outcome,
              actor,
              target: { type: 'image', id },
              detail,
              address: actor.address,
            }) as const;
        if (!file) return await saveChanges(actor, image, data, event(`fields=${Object.keys(changes).join(',')}`));

        // Whoever puts new bytes in becomes the image's uploader: the bytes count toward their quota
        // (the previous uploader's are freed), and they, not the previous uploader, see the original.
        const freed = image.uploaderId === actor.id ? image.size : 0;
        await requireRoom(actor, file.size, freed);
        const prepared = await prepareFile(file);
        const uploaderNote = image.uploaderId === actor.id ? '' : `, uploader ${image.uploaderId} -> ${actor.id}`;
        let updated: repo.ImageRow;
        try {
          updated = await saveChanges(
            actor,
            image,
            { ...data, ...prepared, uploaderId: actor.id },
            event(`new file ${prepared.mimeType} ${prepared.size} bytes${uploaderNote}`),
            true,
          );
        } catch (error) {
          await files.discardStaged(prepared.storageKey);
          throw error;
        }
        try {
          await storeFiles(prepared.storageKey);
        } catch (error) {
          const previous = fileColumnsOf(image);
          const restored = await audit
            .withEvent(
              (tx) => repo.restoreImageFile(tx, id, prepared.storageKey, previous),
              event('the new file could not be stored; the previous one was kept', 'failed'),
            )
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
   * The update itself, with its audit event, after the change is authorized again inside its
   * transaction. It applies only while the image is live, in the gallery it was authorized in, and
   * (a new file) still on the file it was prepared against: otherwise 409, or 404 when it is gone.
   * A new file is checked against the quota of its uploader (the actor) under a lock, as uploads
   * are. A clash with another image of the gallery is 409.
   */
  async function saveChanges(
    actor: Actor,
    current: repo.ImageRow,
    data: Partial<repo.NewImage>,
    event: () => AuditEvent,
    newFile = false,
  ) {
    const galleryId = data.galleryId ?? current.galleryId;
    const notApplied = new Error('the image changed meanwhile');
    try {
      return await audit.withEvent(
        async (tx) => {
          if (newFile) await lockForWrite(tx, actor.id, galleryId);
          await authorizeChange(actor, current, data.galleryId, tx);
          if (newFile) await requireRoom(actor, data.size!, current.uploaderId === actor.id ? current.size : 0, tx);
          const saved = newFile
            ? await repo.replaceImageFile(tx, current, data)
            : await repo.updateImage(tx, current, data);
          if (!saved) throw notApplied;
          return saved;
        },
        event,
        newFile ? INSERT_TRANSACTION : undefined,
      );
    } catch (error) {
      if (error === notApplied) return changedOrGone(current.id);
      if (isUniqueViolation(error)) throw duplicateIn(galleryId);
      throw error;
    }
  }

  /** Delete: the row is marked (hidden at once), the files removed, then the row. */
  async function remove(actor: Actor, id: number) {
    await serially(id, async () => {
      const image = await get(actor, id);
      await authorizeChange(actor, image);
      await audit.withEvent(
        async (tx) => {
          await authorizeChange(actor, image, undefined, tx);
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
    findBySha256: (actor: Actor, galleryId: number, sha256: string) =>
      repo.findImageBySha256(reader, galleryId, sha256, viewerOf(actor)),
    list: (actor: Actor, filter: { galleryId?: number; uploaderId?: number }, options: ListOptions) =>
      repo.listImages(reader, viewerOf(actor), filter, options),
    create,
    update,
    remove,
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
    listInGallery: (galleryId: number, options: ListOptions) =>
      repo.listImages(reader, 'anyone', { galleryId }, options),
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
