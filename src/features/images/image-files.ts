import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

import type { Database } from '../../platform/db/client';
import type { Storage } from '../../platform/storage/storage';
import { keysOf, variantKey } from '../../platform/storage/storage-keys';
import type { Config } from '../../shared/config';
import { faultPointHook } from '../../shared/fault-points';
import { VARIANT_NAMES, type VariantName } from '../../shared/image-variants';
import type { Logger } from '../../shared/logger';
import { forgetStaged, noteStaged } from './staged-uploads.repository';

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

  return {
    faultPoint,
    discardStaged,

    /**
     * The upload (already fsynced) and its variants, as staged files of `key`, noted first: the
     * transaction that commits the row drops the note; the storage check removes the files of a
     * note left behind.
     */
    async stage(uploadPath: string, key: string, variants: Record<VariantName, Buffer>) {
      await noteStaged(db, key);
      try {
        await stageVariants(key, variants);
        await storage.stageFile(key, uploadPath);
      } catch (error) {
        await discardStaged(key);
        throw error;
      }
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

    /** Moves every staged file of `key` into place; a file already stored is left as it is. */
    async store(key: string) {
      if (storage.stagesInPlace) return;
      for (const k of keysOf(key)) {
        try {
          await storage.put(k, storage.stagingPath(k));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !(await storage.stat(k))) throw error;
        }
      }
    },

    /** Removes every stored file of `key` (and any staged copy); logs what could not be removed. */
    async remove(key: string) {
      if (!storage.stagesInPlace) await Promise.all(keysOf(key).map((k) => storage.discardStaged(k)));
      for (const k of keysOf(key)) {
        await storage.delete(k).catch((error: unknown) => {
          logger.error('could not delete image file', { key: k, error: String(error) });
        });
      }
    },
  };
}

export type ImageFiles = ReturnType<typeof createImageFiles>;

/** The SHA-256 of a local file (an upload's temp file), read as a stream. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
