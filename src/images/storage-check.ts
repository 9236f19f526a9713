import { createHash } from 'node:crypto';
import type { Database } from '../db/client';
import { deleteGallery, galleriesBeingDeleted } from '../galleries/galleries.repository';
import type { Logger } from '../logger';
import { UPLOAD_SUFFIX } from '../storage/hashing-upload-engine';
import { KEY_SHAPE, keyStem, VARIANT_NAMES, variantKey } from '../storage/storage-keys';
import type { Storage } from '../storage/storage';
import type { ImageFiles } from './image-files';
import { remakeVariants } from './image-processing';

export type StorageCheckOptions = {
  /** Also delete rows whose original is missing, and stored files no row refers to. */
  repair: boolean;
  /** Temp files older than this are left from a crash or an aborted upload (0: every one). */
  tempMaxAgeMs: number;
  /** Read every original and compare its SHA-256 with the row (slow: reads all files). */
  verifyHashes?: boolean;
  maxImagePixels: number;
};

export type StorageCheckReport = {
  /** Temp files removed: aborted uploads, and staged files of uploads that never committed. */
  tempRemoved: string[];
  /** Staged files of committed rows moved into place (a crash between commit and store). */
  rolledForward: string[];
  /** Images whose delete had begun, now finished. */
  deletionsFinished: number[];
  /** Galleries whose delete had begun, now finished (with their images). */
  galleryDeletionsFinished: number[];
  /** Old files of images that got a new file, removed (a crash came between the change and the removal). */
  replacedFilesRemoved: string[];
  /** Thumbnails and previews made again from their original. */
  variantsRebuilt: string[];
  /** Images whose original file is missing (deleted from the database when repairing). */
  rowsWithoutFile: number[];
  /** Images whose original's size (or, when verifying, SHA-256) differs from the row. */
  damaged: number[];
  /** Stored files no image refers to (removed when repairing). */
  filesWithoutRow: string[];
  repaired: boolean;
};

type LiveRow = { id: number; storageKey: string; size: number; sha256: string };

async function sha256Of(storage: Storage, key: string): Promise<string> {
  const hash = createHash('sha256');
  const { stream } = await storage.get(key);
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every image row, a thousand at a time. */
async function* liveRows(db: Database): AsyncIterable<LiveRow> {
  let after = 0;
  for (;;) {
    const rows = await db.image.findMany({
      where: { id: { gt: after }, deleting: false },
      orderBy: { id: 'asc' },
      take: 1000,
      select: { id: true, storageKey: true, size: true, sha256: true },
    });
    yield* rows;
    if (rows.length < 1000) return;
    after = rows[rows.length - 1].id;
  }
}

/**
 * Brings the stored files and the image rows back in step after a crash, and says what it found.
 * Always safe: finishes begun deletes, rolls committed uploads forward from their staged files,
 * removes stale temp files, remakes missing variants. Only with `repair`: deletes rows whose
 * original is gone and files no row refers to. Meant to run while no upload is in progress on
 * this storage from another process (the server runs it before it listens).
 */
export async function checkStorage(
  deps: { db: Database; storage: Storage; files: ImageFiles; logger: Logger },
  options: StorageCheckOptions,
): Promise<StorageCheckReport> {
  const { db, storage, files, logger } = deps;
  const report: StorageCheckReport = {
    tempRemoved: [],
    rolledForward: [],
    deletionsFinished: [],
    galleryDeletionsFinished: [],
    replacedFilesRemoved: [],
    variantsRebuilt: [],
    rowsWithoutFile: [],
    damaged: [],
    filesWithoutRow: [],
    repaired: options.repair,
  };

  for (const row of await db.image.findMany({ where: { deleting: true }, select: { id: true, storageKey: true } })) {
    await files.remove(row.storageKey);
    await db.image.deleteMany({ where: { id: row.id } });
    report.deletionsFinished.push(row.id);
  }
  for (const gallery of await galleriesBeingDeleted(db)) {
    for (const image of gallery.images) await files.remove(image.storageKey);
    await deleteGallery(db, gallery.id);
    report.galleryDeletionsFinished.push(gallery.id);
  }

  const rows = new Map<string, LiveRow>();
  for await (const row of liveRows(db)) rows.set(keyStem(row.storageKey), row);

  for (const { storageKey } of await db.pendingFileRemoval.findMany({ select: { storageKey: true } })) {
    // Still some image's file: the change it was noted for did not happen after all.
    if (rows.get(keyStem(storageKey))?.storageKey !== storageKey) {
      await files.remove(storageKey);
      report.replacedFilesRemoved.push(storageKey);
    }
    await db.pendingFileRemoval.deleteMany({ where: { storageKey } });
  }

  const now = Date.now();
  for (const temp of await storage.listTemp()) {
    const row = KEY_SHAPE.test(temp.name) ? rows.get(keyStem(temp.name)) : undefined;
    if (row) {
      if (await storage.stat(temp.name)) await storage.discardTemp(temp.path);
      else {
        await storage.put(temp.name, temp.path);
        report.rolledForward.push(temp.name);
      }
    } else if (now - temp.modifiedAt.getTime() >= options.tempMaxAgeMs) {
      await storage.discardTemp(temp.path);
      report.tempRemoved.push(temp.name);
    }
  }

  for (const row of rows.values()) {
    const original = await storage.stat(row.storageKey);
    if (!original) {
      report.rowsWithoutFile.push(row.id);
      if (options.repair) {
        await files.remove(row.storageKey);
        await db.image.deleteMany({ where: { id: row.id } });
      }
      continue;
    }
    if (original.size !== row.size) report.damaged.push(row.id);
    else if (options.verifyHashes && (await sha256Of(storage, row.storageKey)) !== row.sha256) report.damaged.push(row.id);
    const missing = [];
    for (const name of VARIANT_NAMES) if (!(await storage.stat(variantKey(row.storageKey, name)))) missing.push(name);
    if (missing.length > 0 && !report.damaged.includes(row.id)) {
      try {
        const { stream } = await storage.get(row.storageKey);
        await files.storeVariants(row.storageKey, await remakeVariants(stream, options.maxImagePixels));
        report.variantsRebuilt.push(row.storageKey);
      } catch (error) {
        logger.error('could not make variants again', { id: row.id, error: String(error) });
      }
    }
  }

  for await (const file of storage.list()) {
    if (KEY_SHAPE.test(file.key) && rows.has(keyStem(file.key))) continue;
    report.filesWithoutRow.push(file.key);
    if (options.repair && KEY_SHAPE.test(file.key)) await storage.delete(file.key);
  }

  const counts = Object.fromEntries(Object.entries(report).map(([name, value]) => [name, Array.isArray(value) ? value.length : value]));
  const problems = report.rowsWithoutFile.length + report.damaged.length + report.filesWithoutRow.length;
  (problems > 0 && !options.repair ? logger.warn : logger.info)('storage check', {
    ...counts,
    ...(problems > 0 ? { rowsWithoutFile: report.rowsWithoutFile.slice(0, 20), damaged: report.damaged.slice(0, 20), filesWithoutRow: report.filesWithoutRow.slice(0, 20) } : {}),
  });
  return report;
}

/** Removes upload temp files older than `maxAgeMs` (left by aborted requests); staged files wait for the full check. */
export async function sweepStaleUploads(storage: Storage, maxAgeMs: number): Promise<number> {
  let removed = 0;
  const now = Date.now();
  for (const temp of await storage.listTemp()) {
    if (temp.name.endsWith(UPLOAD_SUFFIX) && now - temp.modifiedAt.getTime() >= maxAgeMs) {
      await storage.discardTemp(temp.path);
      removed += 1;
    }
  }
  return removed;
}
