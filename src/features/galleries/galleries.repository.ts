import type { Database } from '../../platform/db/client';
import { countRows, finishPage, keysetPage, type Filter } from '../../platform/db/keyset';
import { asDate, type SqlReader } from '../../platform/db/sql-reader';
import type { ListOptions, Page } from '../../shared/paging';
import {
  LIVE,
  liveSql,
  visibleGalleryWhere,
  withVisibility,
  type MemberRole,
  type Viewer,
  type Visibility,
} from './galleries.access';

/** Galleries whose delete has begun are gone as far as every reader is concerned. */
const live = (id: number) => ({ id, ...LIVE });

/**
 * The gallery's owner and visibility if `viewer` may see it, with the viewer's membership role;
 * `inTrash`: also while it is in the trash (`trashed` says whether it is).
 */
export async function findGalleryOwner(db: Database, id: number, viewer: Viewer, inTrash = false) {
  const gallery = await db.gallery.findFirst({
    where: { ...(inTrash ? { id, deleting: false } : live(id)), ...visibleGalleryWhere(viewer) },
    select: { id: true, ownerId: true, name: true, description: true, visibility: true, trashed: true },
  });
  if (!gallery) return null;
  const memberRole = viewer === 'anyone' ? null : await findMemberRole(db, id, viewer.userId);
  return { ...gallery, visibility: gallery.visibility as Visibility, memberRole };
}

/**
 * The user's role in the gallery: the greater of their own membership's and those of the groups
 * they are in (editor over viewer); null when they are a member neither way.
 */
export async function findMemberRole(db: Database, galleryId: number, userId: number): Promise<MemberRole | null> {
  // One after the other: `db` may be a transaction.
  const member = await db.galleryMember.findUnique({
    where: { galleryId_userId: { galleryId, userId } },
    select: { role: true },
  });
  // 'editor' sorts before 'viewer': the first row is the greatest role.
  const viaGroups = await db.galleryGroupMember.findMany({
    where: { galleryId, group: { members: { some: { userId } } } },
    select: { role: true },
    orderBy: { role: 'asc' },
    take: 1,
  });
  const roles = [member?.role, viaGroups[0]?.role];
  if (roles.includes('editor')) return 'editor';
  return roles.includes('viewer') ? 'viewer' : null;
}

/** The image a gallery's card shows: what a thumbnail needs, and whether its owner chose it. */
export type CoverRow = {
  id: number;
  width: number | null;
  height: number | null;
  thumbhash: string | null;
  storageKey: string;
  chosen: boolean;
};

export type GalleryRow = {
  id: number;
  name: string;
  description: string;
  ownerId: number;
  visibility: string;
  owner: { id: number; username: string };
  imageCount: number;
  createdAt: Date;
  updatedAt: Date;
  cover: CoverRow | null;
};

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
  coverImageId: number | null;
  coverId: number | null;
  coverWidth: number | null;
  coverHeight: number | null;
  coverThumbhash: string | null;
  coverKey: string | null;
};

/**
 * The cover's id: the chosen image while it is a live image of this gallery, else the gallery's
 * most recent live image (the index on (galleryId, createdAt, id), read backwards, one row). An
 * image of another gallery is never a gallery's cover, so a viewer who may see the gallery may see
 * its cover.
 */
const COVER_ID = `COALESCE(
    (SELECT c.id FROM "Image" c WHERE c.id = g."coverImageId" AND c."galleryId" = g.id AND ${liveSql('c')}),
    (SELECT c.id FROM "Image" c WHERE c."galleryId" = g.id AND ${liveSql('c')} ORDER BY c."createdAt" DESC, c.id DESC LIMIT 1))`;

const SELECT_GALLERY = `
  SELECT g.id, g.name, g.description, g."ownerId", g."visibility", u.username AS "ownerUsername", lower(g.name) AS "sortKey",
         g."createdAt", g."updatedAt", g."coverImageId",
         (SELECT CAST(COUNT(*) AS INTEGER) FROM "Image" x WHERE x."galleryId" = g.id AND ${liveSql('x')}) AS "imageCount",
         ${COVER_ID} AS "coverId"
  FROM "Gallery" g
  JOIN "User" u ON u.id = g."ownerId"`;

/**
 * One query for a page of galleries with their covers: the page (filtered, ordered, limited) as a
 * derived table, then each row's cover image by its primary key, in the page's order (`order`).
 */
const withCovers = (page: string, order: string) => `
  SELECT p.*, ci.width AS "coverWidth", ci.height AS "coverHeight", ci.thumbhash AS "coverThumbhash",
         ci."storageKey" AS "coverKey"
  FROM (${page}) p
  LEFT JOIN "Image" ci ON ci.id = p."coverId"
  ${order}`;

const GALLERY_COLUMNS = {
  id: 'g.id',
  created: 'g."createdAt"',
  sortKey: 'lower(g.name)',
  search: ['g.name', 'g.description'],
};

function coverOf(row: FlatGalleryRow): CoverRow | null {
  if (row.coverId === null || row.coverKey === null) return null;
  return {
    id: row.coverId,
    width: row.coverWidth,
    height: row.coverHeight,
    thumbhash: row.coverThumbhash,
    storageKey: row.coverKey,
    chosen: row.coverImageId === row.coverId,
  };
}

function toRow(row: FlatGalleryRow): GalleryRow {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    ownerId: row.ownerId,
    visibility: row.visibility,
    owner: { id: row.ownerId, username: row.ownerUsername },
    imageCount: Number(row.imageCount),
    createdAt: asDate(row.createdAt),
    updatedAt: asDate(row.updatedAt),
    cover: coverOf(row),
  };
}

/** The gallery, with its cover, if `viewer` may see it. */
export async function findGallery(reader: SqlReader, id: number, viewer: Viewer): Promise<GalleryRow | null> {
  const filters = withVisibility([{ sql: `g.id = ? AND ${liveSql('g')}`, params: [id] }], viewer, 'g');
  const where = `WHERE ${filters.map((f) => f.sql).join(' AND ')}`;
  const [row] = await reader.all<FlatGalleryRow>(
    withCovers(`${SELECT_GALLERY} ${where}`, ''),
    filters.flatMap((f) => f.params),
  );
  return row ? toRow(row) : null;
}

/** One page of galleries with their covers, filtered in the database, in keyset order: one query. */
export async function listGalleries(
  reader: SqlReader,
  viewer: Viewer,
  filter: { ownerId?: number },
  options: ListOptions,
): Promise<Page<GalleryRow>> {
  const filters: Filter[] = [{ sql: liveSql('g'), params: [] }];
  if (filter.ownerId !== undefined) filters.push({ sql: 'g."ownerId" = ?', params: [filter.ownerId] });
  const page = keysetPage(reader, GALLERY_COLUMNS, options, withVisibility(filters, viewer, 'g'));
  const direction = options.sort.startsWith('-') ? 'DESC' : 'ASC';
  const key = options.sort.endsWith('created') ? 'p."createdAt"' : 'p."sortKey"';
  const rows = await reader.all<FlatGalleryRow>(
    withCovers(
      `${SELECT_GALLERY} ${page.where} ${page.order} LIMIT ?`,
      `ORDER BY ${key} ${direction}, p.id ${direction}`,
    ),
    [...page.params, options.limit + 1],
  );
  const result = finishPage(rows, options, toRow, (row) => row);
  if (options.count) result.total = await countRows(reader, '"Gallery" g', page);
  return result;
}

/** The new gallery's id. */
export async function insertGallery(
  db: Database,
  data: { name: string; description: string; ownerId: number; visibility: Visibility },
): Promise<number> {
  return (await db.gallery.create({ data, select: { id: true } })).id;
}

export type GalleryChanges = {
  name?: string;
  description?: string;
  visibility?: Visibility;
  ownerId?: number;
  coverImageId?: number | null;
};

export async function updateGallery(db: Database, id: number, data: GalleryChanges): Promise<void> {
  await db.gallery.update({ where: { id }, data, select: { id: true } });
}

/** Whether `imageId` is a live image of the gallery: the only kind it may choose as its cover. */
export async function isImageOfGallery(db: Database, galleryId: number, imageId: number): Promise<boolean> {
  return (await db.image.count({ where: { id: imageId, galleryId, ...LIVE } })) === 1;
}

/**
 * In a transaction, the first step of a delete: hides the gallery (its images are marked by the
 * same transaction), when it is live or, `from: 'trash'`, in the trash (since before `trashedBefore`
 * when given). False otherwise (gone, already being deleted, or not where it was expected).
 */
export async function markGalleryDeleted(
  tx: Database,
  id: number,
  from: 'live' | 'trash' = 'live',
  trashedBefore?: Date,
): Promise<boolean> {
  const where =
    from === 'live'
      ? live(id)
      : { id, deleting: false, trashed: true, ...(trashedBefore ? { trashedAt: { lt: trashedBefore } } : {}) };
  const { count } = await tx.gallery.updateMany({ where, data: { deleting: true } });
  return count === 1;
}

/** Puts a live gallery in the trash; false when it is not live. */
export async function trashGallery(tx: Database, id: number, byId: number, at: Date): Promise<boolean> {
  const { count } = await tx.gallery.updateMany({
    where: live(id),
    data: { trashed: true, trashedAt: at, trashedById: byId },
  });
  return count === 1;
}

/** Takes a gallery out of the trash; false when it is not there (restored, or its purge began). */
export async function untrashGallery(tx: Database, id: number): Promise<boolean> {
  const { count } = await tx.gallery.updateMany({
    where: { id, deleting: false, trashed: true },
    data: { trashed: false, trashedAt: null, trashedById: null },
  });
  return count === 1;
}

/** A gallery in the trash (not being purged): what deciding who may restore or purge it needs. */
export function findTrashedGallery(db: Database, id: number) {
  return db.gallery.findFirst({ where: { id, deleting: false, trashed: true }, select: { id: true, ownerId: true } });
}

/** Galleries put in the trash before `cutoff`: their time is up. */
export async function galleriesTrashedBefore(db: Database, cutoff: Date, limit: number): Promise<number[]> {
  const rows = await db.gallery.findMany({
    where: { trashed: true, deleting: false, trashedAt: { lt: cutoff } },
    select: { id: true },
    orderBy: { trashedAt: 'asc' },
    take: limit,
  });
  return rows.map((row) => row.id);
}

/** The ids of galleries whose delete a crash interrupted. */
export async function galleriesBeingDeleted(db: Database): Promise<number[]> {
  return (await db.gallery.findMany({ where: { deleting: true }, select: { id: true } })).map((row) => row.id);
}

/** Deletes the gallery; its image rows go with it (their files must be removed first). */
export function deleteGallery(db: Database, id: number) {
  return db.gallery.deleteMany({ where: { id } });
}
