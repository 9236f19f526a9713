import type { Database } from '../../platform/db/client';
import type { Storage } from '../../platform/storage/storage';
import type { Logger } from '../../shared/logger';
import type { ImageFiles } from './image-files';

/** What the storage check works with. */
export type StorageCheckDeps = { db: Database; storage: Storage; files: ImageFiles; logger: Logger };

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
  /** Keys of uploads that never committed whose files were removed, found from their notes (object storage stages in place). */
  stagedRemoved: string[];
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
  /**
   * Set when another server process held the storage check's lease: the shared part (begun
   * deletes, notes of replaced files and of staged uploads, the audit) was left to it; only this
   * node's temp files were looked at.
   */
  sharedPartSkipped?: { heldBy: string | null };
};
