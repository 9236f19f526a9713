import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

import type { Database } from '../../platform/db/client';
import type { Storage } from '../../platform/storage/storage';
import { keysOf, newStorageKey, variantKey } from '../../platform/storage/storage-keys';
import type { Config } from '../../shared/config';
import { faultPointHook } from '../../shared/fault-points';
import { EXTENSIONS, type ImageMimeType } from '../../shared/image-types';
import { VARIANT_NAMES, type VariantName } from '../../shared/image-variants';
import type { Logger } from '../../shared/logger';
import type { GalleryImages } from '../galleries';
import type { NewImage } from './image-columns';
import type { ProcessedImage } from './image-processing';
import { markGalleryImagesDeleted } from './images.repository';
import { forgetStaged, noteStaged } from './staged-uploads.repository';

/** An upload as received: in a temp file, its type known from its first bytes. */
export type UploadedFile = { path: string; size: number; mimeType: ImageMimeType };
/** An upload examined: its SHA-256, and its decode (which refuses a damaged file) with the variants. */
export type ExaminedFile = UploadedFile & { sha256: string; processed: ProcessedImage };
/** The columns of a row that describe a new file, under the key it is staged and stored at. */
export type DescribedFile = Omit<NewImage, 'title' | 'description' | 'galleryId' | 'uploaderId'>;

/**
 * The files of one image (its original and variants) through their life: staged next to the
 * upload, stored once the row is committed, removed after the row is marked deleted.
 */
type Deps = { db: Database; storage: Storage; logger: Logger; config: Pick<Config, 'faultPoint'> };

export function createImageFiles({ db, storage, logger, config }: Deps) {
  const faultPoint = faultPointHook(config.faultPoint);

  async function stageVariants(key: string, variants: Record<VariantName, Buffer>) {
    for (const name of VARIANT_NAMES) await storage.stageBytes(variantKey(key, name), variants[name]);
  }

  /** Removes the staged files of `key` and then its note. */
  async function discardStaged(key: string) {
    await Promise.all(keysOf(key).map((k) => storage.discardStaged(k)));
    await forgetStaged(db, key);
  }

  /** Moves every staged file of `key` into place; a file already stored is left as it is. */
  async function store(key: string) {
    if (storage.stagesInPlace) return;
    for (const k of keysOf(key)) {
      try {
        await storage.put(k, storage.stagingPath(k));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !(await storage.stat(k))) throw error;
      }
    }
  }

  /** Removes every stored file of `key` (and any staged copy); logs what could not be removed. */
  async function remove(key: string) {
    if (!storage.stagesInPlace) await Promise.all(keysOf(key).map((k) => storage.discardStaged(k)));
    for (const k of keysOf(key)) {
      await storage.delete(k).catch((error: unknown) => {
        logger.error('could not delete image file', { key: k, error: String(error) });
      });
    }
  }

  /**
   * The upload (already fsynced) and its variants, as staged files of `key`, noted first: the
   * transaction that commits the row drops the note; the storage check removes the files of a
   * note left behind.
   */
  async function stage(uploadPath: string, key: string, variants: Record<VariantName, Buffer>) {
    await noteStaged(db, key);
    try {
      await stageVariants(key, variants);
      await storage.stageFile(key, uploadPath);
    } catch (error) {
      await discardStaged(key);
      throw error;
    }
  }

  return {
    faultPoint,
    discardStaged,
    stage,
    store,
    remove,

    /**
     * A new file's way in, the same for an upload and a replacement: the examined upload and its
     * variants are staged under a new key (durable, not yet visible); `commit` runs the transaction
     * that points a row at them; then they are stored in place. A failed commit discards the staged
     * files. If storing fails, `undo` takes the commit back (its own error, if it throws one, is the
     * one the caller gets) and every file of the new key is removed. A crash at any step leaves
     * what the storage check finishes or removes (notes of staged files, rows marked deleted).
     */
    async putNew<T>(
      file: ExaminedFile,
      commit: (described: DescribedFile) => Promise<T>,
      undo: (committed: T) => Promise<void>,
    ) {
      const { variants, embedded: _embedded, ...facts } = file.processed;
      const storageKey = newStorageKey(EXTENSIONS[file.mimeType]);
      await stage(file.path, storageKey, variants);
      faultPoint('upload-staged');
      let committed: T;
      try {
        committed = await commit({
          mimeType: file.mimeType,
          sha256: file.sha256,
          size: file.size,
          storageKey,
          ...facts,
        });
      } catch (error) {
        await discardStaged(storageKey);
        throw error;
      }
      try {
        faultPoint('upload-committed');
        await store(storageKey);
        faultPoint('upload-stored');
      } catch (error) {
        try {
          await undo(committed);
        } finally {
          await remove(storageKey);
        }
        throw error;
      }
      return committed;
    },

    /**
     * A file's way out, once no live row needs it (its row marked deleted, or pointed at a new
     * file): its files are removed, then `finish` drops what kept track of it (the row, or the
     * note of its removal).
     */
    async retire(key: string, finish: () => Promise<unknown>) {
      await remove(key);
      await finish();
    },

    /** Stores new variants of a stored original (made again by the storage check). */
    async storeVariants(key: string, variants: Record<VariantName, Buffer>) {
      const keys = VARIANT_NAMES.map((name) => variantKey(key, name));
      if (!storage.stagesInPlace) for (const k of keys) await storage.discardStaged(k);
      await stageVariants(key, variants);
      if (!storage.stagesInPlace) for (const k of keys) await storage.put(k, storage.stagingPath(k));
    },

    /** Removes the upload's temp file if it is still there. */
    discardUpload: (path: string) => storage.discardTemp(path),

    open: (key: string, rangeFor?: Parameters<Storage['get']>[1]) => storage.get(key, rangeFor),
  };
}

export type ImageFiles = ReturnType<typeof createImageFiles>;

/** What a gallery's delete needs of its images (the galleries feature's port), done with `files`. */
export function galleryImagesOf(files: Pick<ImageFiles, 'remove'>): GalleryImages {
  return { markAllDeleted: markGalleryImagesDeleted, removeFiles: (key) => files.remove(key) };
}

/** The SHA-256 of a local file (an upload's temp file), read as a stream. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
