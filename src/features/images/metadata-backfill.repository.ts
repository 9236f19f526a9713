import type { Database } from '../../platform/db/client';
import type { ExifSummary } from './exif';

/** The queries of the metadata backfill. */

export type BackfillRow = { id: number; storageKey: string; thumbhash: string | null };

/** The next rows (by id, after `afterId`) whose facts an older reader read (or none), being deleted or not aside. */
export function rowsToRead(db: Database, version: number, afterId: number, take: number): Promise<BackfillRow[]> {
  return db.image.findMany({
    where: { id: { gt: afterId }, metadataVersion: { lt: version }, deleting: false },
    orderBy: { id: 'asc' },
    take,
    select: { id: true, storageKey: true, thumbhash: true },
  });
}

/** How many rows are left to read. */
export function countToRead(db: Database, version: number): Promise<number> {
  return db.image.count({ where: { metadataVersion: { lt: version }, deleting: false } });
}

/**
 * Writes what was read, only while the row still has the file it was read from (a file replaced
 * meanwhile was read by its upload); a ThumbHash only where there was none. Whether it was written.
 */
export async function writeFacts(
  db: Database,
  row: BackfillRow,
  facts: ExifSummary & { metadataVersion: number; thumbhash: string | null },
): Promise<boolean> {
  const { thumbhash, ...rest } = facts;
  const written = await db.image.updateMany({
    where: { id: row.id, storageKey: row.storageKey },
    data: { ...rest, ...(row.thumbhash === null && thumbhash !== null ? { thumbhash } : {}), updatedAt: new Date() },
  });
  return written.count === 1;
}
