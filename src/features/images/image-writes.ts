import type { PageCacheResult } from '../../http/metrics';
import type { Database, Transaction } from '../../platform/db/client';
import type { SqlReader } from '../../platform/db/sql-reader';
import type { Actor } from '../../shared/actor';
import type { Config } from '../../shared/config';
import { badRequest, conflict, forbidden, notFound } from '../../shared/errors';
import type { AuditEvent, AuditLog } from '../audit';
import { viewerOf, type GalleriesService } from '../galleries';
import { sha256OfFile, type ExaminedFile, type ImageFiles, type UploadedFile } from './image-files';
import { processImage } from './image-processing';
import { requireRoom as requireRoomIn } from './image-quota';
import { canTakeOut } from './images.policy';
import * as repo from './images.repository';

/*
 * What every write to images shares: who may make it, the quota, the locks, the examination of an
 * upload. Uploads (image-uploads.ts) and changes (image-changes.ts) are built on it.
 */

export type ImageFields = { title?: string; description?: string; gallery?: number };

export const IMAGE_NOT_FOUND = 'Image not found';
export const CHANGED_MEANWHILE = 'The image changed meanwhile; try again.';
export const ORIGINALS_FOR_OWNERS =
  'The original file is only for its uploader, the gallery owner and admins; ask for ?size=preview or ?size=thumb.';
const TAKE_OUT = 'Only the owner of its gallery, its uploader or an admin may move this image to another gallery.';
export const imageNotFound = () => notFound(IMAGE_NOT_FOUND);
/** A gallery the caller cannot see, named in the body: a bad field, not a missing resource. */
export const noSuchGallery = () =>
  badRequest('gallery: No gallery with that id.', [{ path: 'gallery', message: 'No gallery with that id.' }]);

/**
 * Runs changes to one image one at a time in this process, so that they queue rather than fail.
 * Only that: across processes, the database settles them (`replaceImageFile`, `markDeleted`: 409).
 */
export function perImageQueue() {
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
export const INSERT_TRANSACTION = { maxWait: 15_000, timeout: 15_000 };

export type ImagesDeps = {
  db: Database;
  reader: SqlReader;
  config: Pick<
    Config,
    'maxImagePixels' | 'storageQuotaBytes' | 'originalsVisibleTo' | 'trashDays' | 'importKeywords' | 'pageCacheBytes'
  >;
  /** Told of each page lookup: found, read, or no cache (for the metrics). */
  onPageCache?: (result: PageCacheResult) => void;
  files: ImageFiles;
  audit: AuditLog;
  /** Write access to galleries: the one check of it, in the galleries feature. */
  galleries: Pick<GalleriesService, 'requireWritable' | 'visible'>;
};

export function createWriteRules({ db, reader, config, galleries }: ImagesDeps) {
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

  /** 413 when the file would take the actor past their quota (image-quota.ts). */
  const requireRoom = (actor: Actor, addedBytes: number, freedBytes = 0, within: Transaction = db) =>
    requireRoomIn(within, actor.id, config.storageQuotaBytes, addedBytes, freedBytes);

  const updateEvent =
    (actor: Actor, id: number, detail: string, outcome: 'ok' | 'failed' = 'ok') =>
    (): AuditEvent => ({
      action: 'image.update',
      outcome,
      actor,
      target: { type: 'image', id },
      detail,
      address: actor.address,
    });

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

  return { get, authorizeChange, requireRoom, updateEvent, changedOrGone, lockForWrite, duplicateIn, examine };
}

export type WriteRules = ReturnType<typeof createWriteRules>;
