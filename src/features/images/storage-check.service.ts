import { createHash } from 'node:crypto';

import { UPLOAD_SUFFIX } from '../../http/upload-engine';
import type { Database } from '../../platform/db/client';
import { withLease } from '../../platform/db/leases';
import type { Storage } from '../../platform/storage/storage';
import { KEY_SHAPE, keyStem, variantKey } from '../../platform/storage/storage-keys';
import { VARIANT_NAMES } from '../../shared/image-variants';
import type { Logger } from '../../shared/logger';
import { deleteGallery, galleriesBeingDeleted } from '../galleries';
import type { ImageFiles } from './image-files';
import { remakeVariants } from './image-processing';
import { markGalleryImagesDeleted } from './images.repository';
import { forgetStaged, stagedBefore } from './staged-uploads.repository';
import * as repo from './storage-check.repository';

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

/** The lease under which one server process at a time runs the shared part of the storage check. */
export const STORAGE_CHECK_LEASE = 'storage-check';
/** How long the lease lasts unless renewed (every third of it while the check runs). */
const LEASE_TTL_MS = 60_000;

async function sha256Of(storage: Storage, key: string): Promise<string> {
  const hash = createHash('sha256');
  const { stream } = await storage.get(key);
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Keys are 32 hex characters and more: the check goes through them by their first two. */
const PREFIXES = Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, '0'));
/** Sorts after every character a key can hold: `key < prefix + KEY_END` for every key with that prefix. */
const KEY_END = '~';
/** Files looked at (stat, hash) at once: enough to keep the disk's queue busy, not the whole library. */
const AT_ONCE = 32;

async function inBatches<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += AT_ONCE) await Promise.all(items.slice(i, i + AT_ONCE).map(work));
}

type Deps = { db: Database; storage: Storage; files: ImageFiles; logger: Logger };

/**
 * What a crash can leave half done in the database and the shared storage: begun deletes,
 * replaced files, staged uploads. Runs under the lease. Safe while other nodes serve: finishing a
 * delete another node is doing removes what that node removes too (its last step tolerates a row
 * already gone); a replaced file is removed only once no row refers to it; staged uploads only
 * once older than any upload may take.
 */
async function recoverShared(
  { db, files }: Deps,
  options: StorageCheckOptions,
  report: StorageCheckReport,
  signal?: AbortSignal,
) {
  for (const row of await repo.rowsBeingDeleted(db)) {
    if (signal?.aborted) return;
    await files.remove(row.storageKey);
    await repo.deleteRow(db, row.id);
    report.deletionsFinished.push(row.id);
  }
  for (const galleryId of await galleriesBeingDeleted(db)) {
    if (signal?.aborted) return;
    for (const key of await markGalleryImagesDeleted(db, galleryId)) await files.remove(key);
    await deleteGallery(db, galleryId);
    report.galleryDeletionsFinished.push(galleryId);
  }

  for (const storageKey of await repo.notedRemovals(db)) {
    if (signal?.aborted) return;
    // Still some image's file: the change it was noted for did not happen after all.
    if (!(await repo.keyInUse(db, storageKey))) {
      await files.remove(storageKey);
      report.replacedFilesRemoved.push(storageKey);
    }
    await repo.forgetRemoval(db, storageKey);
  }

  // Notes of staged files older than any upload may take, whose row never came: on object storage
  // the files are in the bucket under their final keys, found here without listing it.
  for (const key of await stagedBefore(db, new Date(Date.now() - options.tempMaxAgeMs))) {
    if (signal?.aborted) return;
    if (!(await repo.keyInUse(db, key))) {
      await files.remove(key);
      report.stagedRemoved.push(key);
    }
    await forgetStaged(db, key);
  }
}

/**
 * The temp area (this node's UPLOAD_DIR/tmp; shared only when nodes share a disk): staged files of
 * committed rows are moved into place (what the node storing them does too), others removed only
 * once older than any upload may take. Runs on every node, lease or not.
 */
async function recoverTemp({ db, storage }: Deps, options: StorageCheckOptions, report: StorageCheckReport) {
  const now = Date.now();
  for (const temp of await storage.listTemp()) {
    const row = KEY_SHAPE.test(temp.name) ? await repo.liveRowOfStem(db, keyStem(temp.name)) : null;
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
}

/** Runs `work` under the storage check's lease; when another node holds it, notes that in the report and logs it. */
async function underLease(deps: Deps, report: StorageCheckReport, work: (signal: AbortSignal) => Promise<void>) {
  const outcome = await withLease(deps.db, STORAGE_CHECK_LEASE, LEASE_TTL_MS, work);
  if (!outcome.ran) {
    report.sharedPartSkipped = { heldBy: outcome.heldBy };
    deps.logger.info(
      "storage check: another server process holds its lease; only this node's temp files were checked",
      { heldBy: outcome.heldBy },
    );
  }
}

/** Limits of an audit that runs while the server serves. */
export type AuditScope = {
  /** Only rows unchanged since then are looked at: uploads, changes and deletes after it are in flight. */
  changedBefore?: Date;
  /** Stops between prefixes (the server is shutting down). */
  signal?: AbortSignal;
};

/**
 * Rows against files, a two-character key prefix at a time (one folder of the disk storage, one
 * listing of an object store): what is in memory is bounded by one prefix, whatever the size of
 * the library. A file is stat'ed only for an original (its size against the row). While the
 * server serves (`scope.changedBefore`), each finding is looked at again before it is reported, so
 * that an upload or delete in progress is not taken for a problem.
 */
async function audit(
  { db, storage, files, logger }: Deps,
  options: StorageCheckOptions,
  report: StorageCheckReport,
  scope: AuditScope = {},
) {
  const serving = scope.changedBefore !== undefined;
  const stillLive = (row: repo.LiveRow) => repo.stillLive(db, row);
  for (const prefix of PREFIXES) {
    if (scope.signal?.aborted) return;
    const present = new Set<string>();
    for await (const key of storage.listKeys(prefix)) present.add(key);
    const rows = await repo.liveRowsBetween(db, prefix, prefix + KEY_END, scope.changedBefore);
    const stems = new Set(rows.map((row) => keyStem(row.storageKey)));

    const stored = rows.filter((row) => present.has(row.storageKey));
    for (const row of rows) {
      if (present.has(row.storageKey)) continue;
      if (serving && ((await storage.stat(row.storageKey)) || !(await stillLive(row)))) continue;
      report.rowsWithoutFile.push(row.id);
      if (options.repair) {
        await files.remove(row.storageKey);
        await repo.deleteRow(db, row.id);
      }
    }
    const damaged = new Set<number>();
    await inBatches(stored, async (row) => {
      const original = await storage.stat(row.storageKey);
      if (!original) {
        if (!serving || (await stillLive(row))) damaged.add(row.id);
      } else if (original.size !== row.size) damaged.add(row.id);
      else if (options.verifyHashes && (await sha256Of(storage, row.storageKey)) !== row.sha256) damaged.add(row.id);
    });
    report.damaged.push(...damaged);
    for (const row of stored) {
      if (damaged.has(row.id) || VARIANT_NAMES.every((name) => present.has(variantKey(row.storageKey, name)))) continue;
      try {
        const { stream } = await storage.get(row.storageKey);
        await files.storeVariants(row.storageKey, await remakeVariants(stream, options.maxImagePixels));
        // Deleted or given a new file meanwhile: those files are going, these go with them.
        if (serving && !(await stillLive(row))) {
          for (const name of VARIANT_NAMES) await storage.delete(variantKey(row.storageKey, name));
          continue;
        }
        report.variantsRebuilt.push(row.storageKey);
      } catch (error) {
        logger.error('could not make variants again', { id: row.id, error: String(error) });
      }
    }

    for (const key of present) {
      if (KEY_SHAPE.test(key) && stems.has(keyStem(key))) continue;
      // An upload being staged (on another node, maybe) is accounted for by its note, repairing or not.
      if (KEY_SHAPE.test(key) && (await repo.stemStaged(db, keyStem(key)))) continue;
      if (
        serving &&
        (!(await storage.stat(key)) || (KEY_SHAPE.test(key) && (await repo.stemAccountedFor(db, keyStem(key)))))
      )
        continue;
      report.filesWithoutRow.push(key);
      if (options.repair && KEY_SHAPE.test(key)) await storage.delete(key);
    }
  }
  report.damaged.sort((a, b) => a - b);
  report.rowsWithoutFile.sort((a, b) => a - b);
}

function emptyReport(repair: boolean): StorageCheckReport {
  return {
    tempRemoved: [],
    stagedRemoved: [],
    rolledForward: [],
    deletionsFinished: [],
    galleryDeletionsFinished: [],
    replacedFilesRemoved: [],
    variantsRebuilt: [],
    rowsWithoutFile: [],
    damaged: [],
    filesWithoutRow: [],
    repaired: repair,
  };
}

function logReport(
  logger: Logger,
  message: string,
  report: StorageCheckReport,
  started: number,
  extra: Record<string, unknown> = {},
) {
  const counts = Object.fromEntries(
    Object.entries(report).map(([name, value]) => [name, Array.isArray(value) ? value.length : value]),
  );
  const problems = report.rowsWithoutFile.length + report.damaged.length + report.filesWithoutRow.length;
  (problems > 0 && !report.repaired ? logger.warn : logger.info)(message, {
    ms: Math.round(performance.now() - started),
    ...extra,
    ...counts,
    ...(problems > 0
      ? {
          rowsWithoutFile: report.rowsWithoutFile.slice(0, 20),
          damaged: report.damaged.slice(0, 20),
          filesWithoutRow: report.filesWithoutRow.slice(0, 20),
        }
      : {}),
  });
}

/**
 * Brings the stored files and the image rows back in step after a crash, and says what it found.
 * Always safe: finishes begun deletes, rolls committed uploads forward from their staged files,
 * removes stale temp files, remakes missing variants. Only with `repair`: deletes rows whose
 * original is gone and files no row refers to. Everything but this node's temp files runs under
 * the lease, one server process at a time. Repairing is meant for when no node serves: the audit
 * does not look twice at what it finds (`npm run storage:check --repair`, RECONCILE_ON_START=repair).
 */
export async function checkStorage(deps: Deps, options: StorageCheckOptions): Promise<StorageCheckReport> {
  const started = performance.now();
  const report = emptyReport(options.repair);
  await recoverTemp(deps, options, report);
  await underLease(deps, report, async (signal) => {
    await recoverShared(deps, options, report, signal);
    await audit(deps, options, report, { signal });
  });
  logReport(deps.logger, 'storage check', report, started, { audit: 'done' });
  return report;
}

/**
 * The server's start in `report` mode: what a crash left half done is put right now, before it
 * listens (the cost is that of the leftovers, not of the library); the audit of every row against
 * every file runs once it serves (`auditWhileServing`), reporting only.
 */
export async function recoverStorage(
  deps: Deps,
  options: Omit<StorageCheckOptions, 'repair'>,
): Promise<StorageCheckReport> {
  const started = performance.now();
  const report = emptyReport(false);
  await recoverTemp(deps, { ...options, repair: false }, report);
  await underLease(deps, report, (signal) => recoverShared(deps, { ...options, repair: false }, report, signal));
  logReport(deps.logger, 'storage check', report, started, { audit: 'after start' });
  return report;
}

/** The audit, while the server serves: rows unchanged since `changedBefore`, findings looked at twice, nothing deleted. */
export async function auditWhileServing(
  deps: Deps,
  options: Omit<StorageCheckOptions, 'repair'>,
  scope: Required<Pick<AuditScope, 'changedBefore'>> & AuditScope,
) {
  const started = performance.now();
  const report = emptyReport(false);
  await underLease(deps, report, (signal) =>
    audit(deps, { ...options, repair: false }, report, {
      ...scope,
      signal: scope.signal ? AbortSignal.any([scope.signal, signal]) : signal,
    }),
  );
  if (!scope.signal?.aborted) logReport(deps.logger, 'storage audit', report, started);
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
