import type { Database } from '../../platform/db/client';
import { countRows, finishPage, keysetPage, type Filter } from '../../platform/db/keyset';
import { asDate, type SqlReader } from '../../platform/db/sql-reader';
import type { ListOptions, Page } from '../../shared/paging';
import { visibleGalleryWhere, withVisibility, type MemberRole, type Viewer, type Visibility } from './galleries.access';

export const gallerySelect = {
  id: true,
  name: true,
  description: true,
  ownerId: true,
  visibility: true,
  createdAt: true,
  updatedAt: true,
  owner: { select: { id: true, username: true } },
  _count: { select: { images: { where: { deleting: false } } } },
} as const;

export type GalleryRow = NonNullable<Awaited<ReturnType<typeof findGallery>>>;

/** Galleries whose delete has begun are gone as far as every reader is concerned. */
const live = (id: number) => ({ id, deleting: false });

/** The gallery if `viewer` may see it. */
export function findGallery(db: Database, id: number, viewer: Viewer) {
  return db.gallery.findFirst({ where: { ...live(id), ...visibleGalleryWhere(viewer) }, select: gallerySelect });
}

/** The gallery's owner and visibility if `viewer` may see it, with the viewer's membership role. */
export async function findGalleryOwner(db: Database, id: number, viewer: Viewer) {
  const gallery = await db.gallery.findFirst({
    where: { ...live(id), ...visibleGalleryWhere(viewer) },
    select: { id: true, ownerId: true, name: true, description: true, visibility: true },
  });
  if (!gallery) return null;
  const memberRole = viewer === 'anyone' ? null : await findMemberRole(db, id, viewer.userId);
  return { ...gallery, visibility: gallery.visibility as Visibility, memberRole };
}

export async function findMemberRole(db: Database, galleryId: number, userId: number): Promise<MemberRole | null> {
  const member = await db.galleryMember.findUnique({
    where: { galleryId_userId: { galleryId, userId } },
    select: { role: true },
  });
  return (member?.role as MemberRole | undefined) ?? null;
}

type FlatGalleryRow = {
  id: number;
  name: string;
  description: string;
  ownerId: number;
  visibility: string;
  ownerUsername: string;
  imageCount: number | string;
  sortKey: string;
  createdAt: unknown;
  updatedAt: unknown;
};

const SELECT_GALLERY = `
  SELECT g.id, g.name, g.description, g."ownerId", g."visibility", u.username AS "ownerUsername", lower(g.name) AS "sortKey",
         g."createdAt", g."updatedAt",
         (SELECT CAST(COUNT(*) AS INTEGER) FROM "Image" x WHERE x."galleryId" = g.id AND NOT x."deleting") AS "imageCount"
  FROM "Gallery" g
  JOIN "User" u ON u.id = g."ownerId"`;

const GALLERY_COLUMNS = {
  id: 'g.id',
  created: 'g."createdAt"',
  sortKey: 'lower(g.name)',
  search: ['g.name', 'g.description'],
};

function toRow(row: FlatGalleryRow): GalleryRow {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    ownerId: row.ownerId,
    visibility: row.visibility,
    owner: { id: row.ownerId, username: row.ownerUsername },
    _count: { images: Number(row.imageCount) },
    createdAt: asDate(row.createdAt),
    updatedAt: asDate(row.updatedAt),
  };
}

/** One page of galleries, filtered in the database, in keyset order. */
export async function listGalleries(
  reader: SqlReader,
  viewer: Viewer,
  filter: { ownerId?: number },
  options: ListOptions,
): Promise<Page<GalleryRow>> {
  const filters: Filter[] = [{ sql: 'NOT g."deleting"', params: [] }];
  if (filter.ownerId !== undefined) filters.push({ sql: 'g."ownerId" = ?', params: [filter.ownerId] });
  const page = keysetPage(reader, GALLERY_COLUMNS, options, withVisibility(filters, viewer, 'g'));
  const rows = await reader.all<FlatGalleryRow>(`${SELECT_GALLERY} ${page.where} ${page.order} LIMIT ?`, [
    ...page.params,
    options.limit + 1,
  ]);
  const result = finishPage(rows, options, toRow, (row) => row);
  if (options.count) result.total = await countRows(reader, '"Gallery" g', page);
  return result;
}

export function insertGallery(
  db: Database,
  data: { name: string; description: string; ownerId: number; visibility: Visibility },
) {
  return db.gallery.create({ data, select: gallerySelect });
}

export function updateGallery(
  db: Database,
  id: number,
  data: { name?: string; description?: string; visibility?: Visibility; ownerId?: number },
) {
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
