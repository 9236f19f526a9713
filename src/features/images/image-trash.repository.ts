import type { Database } from '../../platform/db/client';
import { LIVE } from '../galleries';
import type { Current } from './images.repository';

/* An image's rows on its way into the trash, back, and out for good (image-trash.ts). */

/** An image in the trash (not being purged), with what deciding about its restore or purge needs. */
export function findTrashedImage(db: Database, id: number) {
  return db.image.findFirst({
    where: { id, trashed: true, deleting: false },
    select: { id: true, galleryId: true, storageKey: true },
  });
}

/** The image in the trash with these bytes in this gallery, if there is one (it keeps them from another). */
export function findTrashedBySha256(db: Database, galleryId: number, sha256: string) {
  return db.image.findFirst({ where: { galleryId, sha256, trashed: true, deleting: false }, select: { id: true } });
}

/**
 * Puts a live image in the trash, if it is still in the gallery and on the file the caller read:
 * `changed` when it is live otherwise (moved or replaced meanwhile), `gone` when it is not live.
 */
export async function trashImage(
  tx: Database,
  current: Current,
  byId: number,
  at: Date,
): Promise<'trashed' | 'changed' | 'gone'> {
  const { count } = await tx.image.updateMany({
    where: { id: current.id, galleryId: current.galleryId, storageKey: current.storageKey, ...LIVE },
    data: { trashed: true, trashedAt: at, trashedById: byId },
  });
  if (count === 1) return 'trashed';
  return (await tx.image.count({ where: { id: current.id, ...LIVE } })) === 1 ? 'changed' : 'gone';
}

/** Takes an image of `galleryId` out of the trash; false when it is not there. */
export async function untrashImage(tx: Database, id: number, galleryId: number): Promise<boolean> {
  const { count } = await tx.image.updateMany({
    where: { id, galleryId, trashed: true, deleting: false },
    data: { trashed: false, trashedAt: null, trashedById: null },
  });
  return count === 1;
}

/**
 * First step of deleting an image in the trash for good (when trashed before `trashedBefore`, if
 * given): hides it from the trash too.
 */
export async function markTrashedDeleted(tx: Database, id: number, trashedBefore?: Date): Promise<boolean> {
  const { count } = await tx.image.updateMany({
    where: { id, trashed: true, deleting: false, ...(trashedBefore ? { trashedAt: { lt: trashedBefore } } : {}) },
    data: { deleting: true },
  });
  return count === 1;
}

/** Images put in the trash before `cutoff`: their time is up. */
export async function imagesTrashedBefore(db: Database, cutoff: Date, limit: number): Promise<number[]> {
  const rows = await db.image.findMany({
    where: { trashed: true, deleting: false, trashedAt: { lt: cutoff } },
    select: { id: true },
    orderBy: { trashedAt: 'asc' },
    take: limit,
  });
  return rows.map((row) => row.id);
}
