import type { Database } from '../../platform/db/client';
import { EXTENSIONS } from '../../shared/image-types';

/** The queries of the storage check: image rows and removal notes as the files' side sees them. */

export type LiveRow = { id: number; storageKey: string; size: number; sha256: string };

/** The original keys an image stored under this stem could have. */
const originalsOf = (stem: string) => Object.values(EXTENSIONS).map((extension) => `${stem}.${extension}`);

/** Images whose delete had begun. */
export function rowsBeingDeleted(db: Database) {
  return db.image.findMany({ where: { deleting: true }, select: { id: true, storageKey: true } });
}

export function deleteRow(db: Database, id: number) {
  return db.image.deleteMany({ where: { id } });
}

/** Storage keys noted for removal after their image got a new file. */
export async function notedRemovals(db: Database): Promise<string[]> {
  return (await db.pendingFileRemoval.findMany({ select: { storageKey: true } })).map((row) => row.storageKey);
}

export function forgetRemoval(db: Database, storageKey: string) {
  return db.pendingFileRemoval.deleteMany({ where: { storageKey } });
}

/** Whether some image row (being deleted included) has this original key. */
export async function keyInUse(db: Database, storageKey: string): Promise<boolean> {
  return (await db.image.findUnique({ where: { storageKey }, select: { id: true } })) !== null;
}

/** The committed, live image whose files are stored under this stem, if any. */
export function liveRowOfStem(db: Database, stem: string) {
  return db.image.findFirst({
    where: { storageKey: { in: originalsOf(stem) }, deleting: false },
    select: { id: true },
  });
}

/**
 * Whether the files under this stem are still accounted for: some image row has them (being
 * deleted included), or they are noted for removal (replaced by a new file a moment ago).
 */
export async function stemAccountedFor(db: Database, stem: string): Promise<boolean> {
  const originals = originalsOf(stem);
  return (
    (await db.image.count({ where: { storageKey: { in: originals } } })) > 0 ||
    (await db.pendingFileRemoval.count({ where: { storageKey: { in: originals } } })) > 0
  );
}

/** Whether an upload's files under this stem are noted as being staged (an upload in progress, or its leftovers for the recovery). */
export async function stemStaged(db: Database, stem: string): Promise<boolean> {
  return (await db.stagedUpload.count({ where: { storageKey: { in: originalsOf(stem) } } })) > 0;
}

/** Live rows whose key lies in [from, to) (and, when given, unchanged since `changedBefore`). */
export function liveRowsBetween(db: Database, from: string, to: string, changedBefore?: Date): Promise<LiveRow[]> {
  return db.image.findMany({
    where: {
      storageKey: { gte: from, lt: to },
      deleting: false,
      ...(changedBefore ? { updatedAt: { lt: changedBefore } } : {}),
    },
    select: { id: true, storageKey: true, size: true, sha256: true },
  });
}

/** Whether the row still is as it was read: live, on the same key. */
export async function stillLive(db: Database, row: { id: number; storageKey: string }): Promise<boolean> {
  return (await db.image.count({ where: { id: row.id, storageKey: row.storageKey, deleting: false } })) === 1;
}
