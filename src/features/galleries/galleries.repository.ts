import type { Database } from '../../platform/db/client';
import { countRows, finishPage, keysetPage, type Filter } from '../../platform/db/keyset';
import { asDate, type SqlReader } from '../../platform/db/sql-reader';
import type { ListOptions, Page } from '../../shared/paging';

export const gallerySelect = {
  id: true,
  name: true,
  description: true,
  ownerId: true,
  createdAt: true,
  updatedAt: true,
  owner: { select: { id: true, username: true } },
  _count: { select: { images: { where: { deleting: false } } } },
} as const;

export type GalleryRow = NonNullable<Awaited<ReturnType<typeof findGallery>>>;

/** Galleries whose delete has begun are gone as far as every reader is concerned. */
const live = (id: number) => ({ id, deleting: false });

export function findGallery(db: Database, id: number) {
  return db.gallery.findFirst({ where: live(id), select: gallerySelect });
}

export function findGalleryOwner(db: Database, id: number) {
  return db.gallery.findFirst({ where: live(id), select: { id: true, ownerId: true, name: true, description: true } });
}

type FlatGalleryRow = {
  id: number;
  name: string;
  description: string;
  ownerId: number;
  ownerUsername: string;
  imageCount: number | string;
  sortKey: string;
  createdAt: unknown;
  updatedAt: unknown;
};

const SELECT_GALLERY = `
  SELECT g.id, g.name, g.description, g."ownerId", u.username AS "ownerUsername", lower(g.name) AS "sortKey",
         g."createdAt", g."updatedAt",
         (SELECT CAST(COUNT(*) AS INTEGER) FROM "Image" x WHERE x."galleryId" = g.id AND NOT x."deleting") AS "imageCount"
  FROM "Gallery" g
  JOIN "User" u ON u.id = g."ownerId"`;

const GALLERY_COLUMNS = { id: 'g.id', created: 'g."createdAt"', sortKey: 'lower(g.name)', search: ['g.name', 'g.description'] };

function toRow(row: FlatGalleryRow): GalleryRow {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    ownerId: row.ownerId,
    owner: { id: row.ownerId, username: row.ownerUsername },
    _count: { images: Number(row.imageCount) },
    createdAt: asDate(row.createdAt),
    updatedAt: asDate(row.updatedAt),
  };
}

/** One page of galleries, filtered in the database, in keyset order. */
export async function listGalleries(reader: SqlReader, filter: { ownerId?: number }, options: ListOptions): Promise<Page<GalleryRow>> {
  const filters: Filter[] = [{ sql: 'NOT g."deleting"', params: [] }];
  if (filter.ownerId !== undefined) filters.push({ sql: 'g."ownerId" = ?', params: [filter.ownerId] });
  const page = keysetPage(reader, GALLERY_COLUMNS, options, filters);
  const rows = await reader.all<FlatGalleryRow>(`${SELECT_GALLERY} ${page.where} ${page.order} LIMIT ?`, [...page.params, options.limit + 1]);
  const result = finishPage(rows, options, toRow, (row) => row);
  if (options.count) result.total = await countRows(reader, '"Gallery" g', page);
  return result;
}

export function insertGallery(db: Database, data: { name: string; description: string; ownerId: number }) {
  return db.gallery.create({ data, select: gallerySelect });
}

export function updateGallery(db: Database, id: number, data: { name?: string; description?: string }) {
  return db.gallery.update({ where: { id }, data, select: gallerySelect });
}

/**
 * In a transaction, the first step of a delete: hides the gallery (its images are marked by the
 * same transaction). False when it is gone or already being deleted.
 */
export async function markGalleryDeleted(tx: Database, id: number): Promise<boolean> {
  const { count } = await tx.gallery.updateMany({ where: live(id), data: { deleting: true } });
  return count === 1;
}

/** The ids of galleries whose delete a crash interrupted. */
export async function galleriesBeingDeleted(db: Database): Promise<number[]> {
  return (await db.gallery.findMany({ where: { deleting: true }, select: { id: true } })).map((row) => row.id);
}

/** Deletes the gallery; its image rows go with it (their files must be removed first). */
export function deleteGallery(db: Database, id: number) {
  return db.gallery.deleteMany({ where: { id } });
}
