import {
  checkStorage,
  createImageFiles,
  reconcileWhileServing,
  recoverStorage,
  STORAGE_CHECK_LEASE,
  sweepStaleUploads,
} from '../features/images';
import type { TrashService } from '../features/trash';
import { createUploadSweeper } from '../features/uploads';
import type { Database } from '../platform/db/client';
import { withLease } from '../platform/db/leases';
import type { Storage } from '../platform/storage/storage';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';

const TEMP_SWEEP_INTERVAL_MS = 15 * 60 * 1000;
/** How long the purge's lease lasts unless renewed (it is, while the purge runs). */
const PURGE_LEASE_TTL_MS = 60_000;

export type TrashPurge = (now?: Date) => Promise<{ ran: boolean; images: number; galleries: number }>;

/**
 * The purge of what has been in the trash for TRASH_DAYS before `now`, under the storage check's
 * lease: one node at a time (another holding it: `ran: false`, it purges on its own round).
 */
export function trashPurge(db: Database, trash: Pick<TrashService, 'purgeExpired'>): TrashPurge {
  return async (now = new Date()) => {
    const outcome = await withLease(db, STORAGE_CHECK_LEASE, PURGE_LEASE_TTL_MS, (signal) =>
      trash.purgeExpired(now, signal),
    );
    return outcome.ran ? { ran: true, ...outcome.result } : { ran: false, images: 0, galleries: 0 };
  };
}

/**
 * The storage check around a server's start. Before it listens: what a crash left half done is
 * put right, and when repairing, the audit of every row against every file runs too; resumable
 * uploads past their expiry go. Once it listens (`serving(purgeTrash)`): the audit in report mode
 * (on disk), the purge of what has been in the trash TRASH_DAYS, and every 15 minutes the purge
 * again and a sweep of stale upload temp files and of expired resumable uploads.
 * `stop()` ends both (shutting down).
 */
export async function prepareStorage({
  db,
  storage,
  logger,
  config,
}: {
  db: Database;
  storage: Storage;
  logger: Logger;
  config: Config;
}) {
  const check = { db, storage, files: createImageFiles({ db, storage, logger, config }), logger };
  const options = { tempMaxAgeMs: config.uploadTempMaxAgeMs, maxImagePixels: config.maxImagePixels };
  if (config.reconcileOnStart === 'repair') await checkStorage(check, { ...options, repair: true });
  else await recoverStorage(check, options);
  const resumable = createUploadSweeper({ db, config, logger });
  const sweepResumable = async () => {
    const removed = await resumable.sweep();
    if (removed.length > 0) logger.info('expired resumable uploads removed', { removed: removed.length });
  };
  await sweepResumable();
  const startedAt = new Date();
  const stopping = new AbortController();
  let sweeper: NodeJS.Timeout | undefined;

  const purge = (purgeTrash: TrashPurge) =>
    purgeTrash().catch((error: unknown) => {
      if (!stopping.signal.aborted) logger.error('trash purge failed', { error: String(error) });
    });

  return {
    serving(purgeTrash: TrashPurge) {
      // The purge, then the audit: both take the storage check's lease, so run side by side
      // the second would find it held (by this very process) and be skipped.
      void purge(purgeTrash).then(() => {
        // On object storage the audit lists the whole bucket and asks for each original: not at
        // every start of every node (what a crash leaves is found from notes by the recovery above).
        if (stopping.signal.aborted) return;
        if (config.reconcileOnStart === 'report' && storage.stagesInPlace) {
          logger.info('storage audit not run at start on object storage; run `npm run storage:check` for it');
        } else if (config.reconcileOnStart === 'report') {
          reconcileWhileServing(check, options, { changedBefore: startedAt, signal: stopping.signal }).catch(
            (error: unknown) => {
              if (!stopping.signal.aborted) logger.error('storage audit failed', { error: String(error) });
            },
          );
        }
      });
      sweeper = setInterval(() => {
        sweepStaleUploads(storage, config.uploadTempMaxAgeMs).catch((error: unknown) =>
          logger.error('temp sweep failed', { error: String(error) }),
        );
        sweepResumable().catch((error: unknown) =>
          logger.error('resumable uploads sweep failed', { error: String(error) }),
        );
        void purge(purgeTrash);
      }, TEMP_SWEEP_INTERVAL_MS);
      sweeper.unref();
    },
    stop() {
      stopping.abort();
      clearInterval(sweeper);
      resumable.close();
    },
  };
}
