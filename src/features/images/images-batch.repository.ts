import type { SqlReader } from '../../platform/db/sql-reader';
import { withVisibility, type Viewer } from '../galleries';
import { LIVE_IMAGE } from './images.repository';

/** Where an image with one of the hashes asked about is, among the images the viewer may see. */
export type KnownHash = { sha256: string; image: number; gallery: number };

/**
 * The live images with any of `hashes` (lower-case hex) in galleries `viewer` may see, and only in
 * `galleryId` when given: one query whatever the number of hashes, in image id order.
 */
export async function findVisibleBySha256(
  reader: SqlReader,
  viewer: Viewer,
  hashes: string[],
  galleryId?: number,
): Promise<KnownHash[]> {
  const filters = withVisibility(
    [
      { sql: LIVE_IMAGE, params: [] },
      { sql: `i.sha256 IN (${hashes.map(() => '?').join(', ')})`, params: hashes },
      ...(galleryId === undefined ? [] : [{ sql: 'i."galleryId" = ?', params: [galleryId] }]),
    ],
    viewer,
    'g',
  );
  const rows = await reader.rows(
    `SELECT i.sha256, i.id, i."galleryId" FROM "Image" i JOIN "Gallery" g ON g.id = i."galleryId"
     WHERE ${filters.map((f) => f.sql).join(' AND ')} ORDER BY i.id`,
    filters.flatMap((f) => f.params),
  );
  return rows.map(([sha256, image, gallery]) => ({
    sha256: sha256 as string,
    image: Number(image),
    gallery: Number(gallery),
  }));
}
