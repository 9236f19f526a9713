import { UPLOAD_SUFFIX } from '../../http/upload-engine';
import { withLease } from '../../platform/db/leases';
import type { Storage } from '../../platform/storage/storage';
import { KEY_SHAPE, keyStem } from '../../platform/storage/storage-keys';
import type { Logger } from '../../shared/logger';
import { finishBegunGalleryDeletes } from '../galleries';
import { galleryImagesOf } from './image-files';
import { forgetStaged, stagedBefore } from './staged-uploads.repository';
import * as repo from './storage-check.repository';
import type { StorageCheckDeps, StorageCheckOptions, StorageCheckReport } from './storage-check.types';
import { reconcile, type ReconcileScope } from './storage-reconcile';

export type { StorageCheckOptions, StorageCheckReport };

/** The lease under which one server process at a time runs the shared part of the storage check. */
export const STORAGE_CHECK_LEASE = 'storage-check';
/** How long the lease lasts unless renewed (every third of it while the check runs). */
const LEASE_TTL_MS = 60_000;

type Deps = StorageCheckDeps;

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
  report.galleryDeletionsFinished.push(...(await finishBegunGalleryDeletes(db, galleryImagesOf(files), signal)));
  if (signal?.aborted) return;

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
 * the lease, one server process at a time. Repairing is meant for when no node serves: the
 * reconciliation does not look twice at what it finds (`npm run storage:check --repair`, RECONCILE_ON_START=repair).
 */
export async function checkStorage(deps: Deps, options: StorageCheckOptions): Promise<StorageCheckReport> {
  const started = performance.now();
  const report = emptyReport(options.repair);
  await recoverTemp(deps, options, report);
  await underLease(deps, report, async (signal) => {
    await recoverShared(deps, options, report, signal);
    await reconcile(deps, options, report, { signal });
  });
  logReport(deps.logger, 'storage check', report, started, { audit: 'done' });
  return report;
}

/**
 * The server's start in `report` mode: what a crash left half done is put right now, before it
 * listens (the cost is that of the leftovers, not of the library); the reconciliation of every row
 * against every file runs once it serves (`reconcileWhileServing`), reporting only.
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

/** The reconciliation, while the server serves: rows unchanged since `changedBefore`, findings looked at twice, nothing deleted. */
export async function reconcileWhileServing(
  deps: Deps,
  options: Omit<StorageCheckOptions, 'repair'>,
  scope: Required<Pick<ReconcileScope, 'changedBefore'>> & ReconcileScope,
) {
  const started = performance.now();
  const report = emptyReport(false);
  await underLease(deps, report, (signal) =>
    reconcile(deps, { ...options, repair: false }, report, {
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
