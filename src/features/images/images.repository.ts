import type { Database } from '../../platform/db/client';
import { countRows, finishPage, keysetPage, type Filter } from '../../platform/db/keyset';
import type { SqlReader } from '../../platform/db/sql-reader';
import type { ListOptions, Page } from '../../shared/paging';
import { LIVE, liveSql, withVisibility, type Viewer } from '../galleries';
import {
  IMAGE_SELECT_LIST,
  imageFromRecord,
  imageFromRow,
  imageSelect,
  positionOf,
  SELECTED,
  type ImageRow,
  type NewImage,
} from './image-columns';
import { imageJsonSql, type JsonViewer } from './image-json-sql';
import {
  fullTextMatch,
  imageListConditions,
  searchIsWide,
  tagIds,
  TAKEN,
  takenRangeIsWide,
  type ImageListFilter,
} from './image-search';
import { forgetStaged } from './staged-uploads.repository';

export type { ImageRow, NewImage };

/*
 * The reads behind every image page are plain SQL with rows as arrays (no object per row but the
 * one built from it): they are the hot path. The columns, and how a row becomes an ImageRow, are
 * declared once, in image-columns.ts.
 */
const CREATED_AT = positionOf('createdAt');
/** With a sort by title or date taken, the sort key follows the selected columns (the cursor needs the last row's). */
const SORT_KEY = SELECTED;

const FROM_IMAGES = `
  FROM "Image" i
  JOIN "Gallery" g ON g.id = i."galleryId"
  JOIN "User" u ON u.id = i."uploaderId"`;
const SELECT_IMAGE = `SELECT ${IMAGE_SELECT_LIST} ${FROM_IMAGES}`;

/**
 * Rows whose delete has begun, and rows in the trash or in a gallery in the trash, are gone as far
 * as every reader is concerned (a query of images joins their gallery as `g`).
 */
export const LIVE_IMAGE = `${liveSql('i')} AND NOT g."trashed"`;

/** The one row matching `filters` (live, in a gallery `viewer` may see), if there is one. */
async function findOne(reader: SqlReader, viewer: Viewer, filters: Filter[]): Promise<ImageRow | null> {
  const all = withVisibility([{ sql: LIVE_IMAGE, params: [] }, ...filters], viewer, 'g');
  const [row] = await reader.rows(
    `${SELECT_IMAGE} WHERE ${all.map((f) => f.sql).join(' AND ')}`,
    all.flatMap((f) => f.params),
  );
  return row ? imageFromRow(row) : null;
}

export function findImage(reader: SqlReader, id: number, viewer: Viewer): Promise<ImageRow | null> {
  return findOne(reader, viewer, [{ sql: 'i.id = ?', params: [id] }]);
}

/** The image with these bytes in this gallery, if there is one. */
export function findImageBySha256(
  reader: SqlReader,
  galleryId: number,
  sha256: string,
  viewer: Viewer,
): Promise<ImageRow | null> {
  return findOne(reader, viewer, [{ sql: 'i."galleryId" = ? AND i.sha256 = ?', params: [galleryId, sha256] }]);
}

const listColumns = (match: Filter | undefined) => ({
  id: 'i.id',
  created: 'i."createdAt"',
  sortKey: 'lower(i.title)',
  taken: TAKEN,
  search: ['i.title', 'i.description'],
  ...(match ? { match: () => match } : {}),
});

/**
 * The query of a page of images, filtered in the database, in keyset order: its conditions, order
 * and the sort key to select after the row (a sort by title or date taken: the cursor needs the
 * last row's). Null when nothing can match (a search without a word, a tag no image has).
 */
async function pageQuery(reader: SqlReader, viewer: Viewer, filter: ImageListFilter, options: ListOptions) {
  const match = options.q ? fullTextMatch(reader, options.q, await searchIsWide(reader, options.q)) : undefined;
  const ids = filter.tags?.length ? await tagIds(reader, filter.tags) : [];
  if (match === null || ids === null) return null;
  // Sorted otherwise than by date taken, a wide date range is not read from the date's index.
  const wideRange = !options.sort.endsWith('taken') && (await takenRangeIsWide(reader, filter));
  const conditions = imageListConditions({ ...filter, tagIds: ids }, { wideRange });
  const filters: Filter[] = [{ sql: LIVE_IMAGE, params: [] }, ...conditions];
  const page = keysetPage(reader, listColumns(match), options, withVisibility(filters, viewer, 'g'));
  const sortKey = options.sort.endsWith('created')
    ? ''
    : `, ${options.sort.endsWith('taken') ? TAKEN : 'lower(i.title)'}`;
  const total = () => countRows(reader, '"Image" i JOIN "Gallery" g ON g.id = i."galleryId"', page);
  return { page, sortKey, total };
}

/**
 * What a page selects of each row (`columns`, after FROM_IMAGES and `join`), how a row becomes an
 * item, and where its position is in the row (the sort key, when there is one, follows `columns`).
 */
type PageSelect<T> = {
  columns: string;
  join: string;
  params: unknown[];
  toItem: (row: unknown[]) => T;
  at: { id: number; createdAt: number; sortKey: number };
};

/** A page of images, filtered in the database, in keyset order, each row made an item by `select`. */
async function readPage<T>(
  reader: SqlReader,
  viewer: Viewer,
  filter: ImageListFilter,
  options: ListOptions,
  select: PageSelect<T>,
): Promise<Page<T>> {
  const query = await pageQuery(reader, viewer, filter, options);
  if (!query) return { items: [], ...(options.count ? { total: 0 } : {}) };
  const { page, sortKey } = query;
  const rows = await reader.rows(
    `SELECT ${select.columns}${sortKey} ${FROM_IMAGES} ${select.join} ${page.where} ${page.order} LIMIT ?`,
    [...select.params, ...page.params, options.limit + 1],
  );
  const { at } = select;
  const result = finishPage(rows, options, select.toItem, (row) => ({
    id: row[at.id] as number,
    createdAt: row[at.createdAt],
    sortKey: row[at.sortKey] as string | undefined,
  }));
  if (options.count) result.total = await query.total();
  return result;
}

/** One page of images, filtered in the database, in keyset order. */
export function listImages(
  reader: SqlReader,
  viewer: Viewer,
  filter: ImageListFilter,
  options: ListOptions,
): Promise<Page<ImageRow>> {
  return readPage(reader, viewer, filter, options, {
    columns: IMAGE_SELECT_LIST,
    join: '',
    params: [],
    toItem: imageFromRow,
    at: { id: 0, createdAt: CREATED_AT, sortKey: SORT_KEY },
  });
}

/**
 * The same page, each image as the JSON text of its reply, written by the database
 * (image-json-sql.ts): no row becomes JavaScript values, no reply is serialised here.
 */
export function listImagesJson(
  reader: SqlReader,
  viewer: Viewer,
  filter: ImageListFilter,
  options: ListOptions,
  jsonViewer: JsonViewer,
): Promise<Page<string>> {
  const json = imageJsonSql(reader, jsonViewer);
  return readPage(reader, viewer, filter, options, {
    columns: `${json.sql},\n    i.id, i."createdAt"`,
    join: json.join,
    params: json.params,
    toItem: (row) => row[0] as string,
    at: { id: 1, createdAt: 2, sortKey: 3 },
  });
}

/**
 * In a transaction: write locks on a user's row (on SQLite: the database's write lock) and on a
 * gallery's row. False when the gallery is gone, being deleted or in the trash.
 */
export async function lockUserAndGallery(tx: Database, userId: number, galleryId: number): Promise<boolean> {
  await tx.$executeRaw`UPDATE "User" SET "id" = "id" WHERE "id" = ${userId}`;
  const locked =
    await tx.$executeRaw`UPDATE "Gallery" SET "id" = "id" WHERE "id" = ${galleryId} AND NOT "deleting" AND NOT "trashed"`;
  return locked === 1;
}

/** In a transaction: the new row, and the note of its staged files dropped (they are now accounted for). */
export async function insertImage(tx: Database, data: NewImage) {
  const image = imageFromRecord(await tx.image.create({ data, select: imageSelect }));
  await forgetStaged(tx, data.storageKey);
  return image;
}

/** What a change was authorized and prepared against: the image, in this gallery, on this file. */
export type Current = { id: number; galleryId: number; storageKey: string };

/**
 * Changes fields of an image, only while it is live and in the gallery the change was authorized
 * in (null otherwise: moved or deleted meanwhile).
 */
export async function updateImage(db: Database, current: Current, data: Partial<NewImage>) {
  const { count } = await db.image.updateMany({
    where: { id: current.id, galleryId: current.galleryId, ...LIVE },
    data,
  });
  return count === 1
    ? imageFromRecord(await db.image.findUniqueOrThrow({ where: { id: current.id }, select: imageSelect }))
    : null;
}

/**
 * In a transaction: points the image at a new file and notes its old file for removal, so that a
 * crash after the commit leaves a note the storage check acts on, never an unnoticed orphan.
 *
 * Compare-and-swap: only while the row is live, in its gallery and still on the file the change
 * was prepared against (`current`). Null otherwise: another request — in this process or another
 * server process on the same database — replaced or began to delete the image meanwhile, and the
 * caller discards its staged files. On PostgreSQL the UPDATE waits for the row lock of a
 * concurrent change and then tests its condition against the committed row; on SQLite writers
 * take turns. So of two changes prepared against the same file, exactly one commits; and the
 * old file's removal note is written only by that one (no unique violation on it).
 */
export async function replaceImageFile(tx: Database, current: Current, data: Partial<NewImage>) {
  const { count } = await tx.image.updateMany({
    where: { id: current.id, galleryId: current.galleryId, storageKey: current.storageKey, ...LIVE },
    data,
  });
  if (count !== 1) return null;
  await tx.pendingFileRemoval.create({ data: { storageKey: current.storageKey } });
  if (data.storageKey) await forgetStaged(tx, data.storageKey);
  return imageFromRecord(await tx.image.findUniqueOrThrow({ where: { id: current.id }, select: imageSelect }));
}

/**
 * In a transaction: puts the old file back after the new one (`failedKey`) could not be stored
 * (the removal note goes too). False when the image is no longer live on `failedKey` (a delete
 * from another process began meanwhile): nothing is restored.
 */
export async function restoreImageFile(
  tx: Database,
  id: number,
  failedKey: string,
  previous: Partial<NewImage> & { storageKey: string },
): Promise<boolean> {
  const { count } = await tx.image.updateMany({
    where: { id, storageKey: failedKey, ...LIVE },
    data: previous,
  });
  if (count !== 1) return false;
  await tx.pendingFileRemoval.deleteMany({ where: { storageKey: previous.storageKey } });
  return true;
}

export function forgetFileRemoval(db: Database, storageKey: string) {
  return db.pendingFileRemoval.deleteMany({ where: { storageKey } });
}

/** Deletes the row; one already gone is not an error (the storage check of another node may have finished the delete). */
export async function deleteImage(db: Database, id: number): Promise<void> {
  await db.image.deleteMany({ where: { id } });
}

/**
 * First step of a delete: hides the row, if it is live and still on the file the caller read
 * (`storageKey`: the files it will remove). `changed`: live on another file (replaced meanwhile,
 * by another process); `gone`: already gone or being deleted.
 */
export async function markDeleted(
  db: Database,
  id: number,
  storageKey: string,
): Promise<'marked' | 'changed' | 'gone'> {
  const { count } = await db.image.updateMany({ where: { id, storageKey, ...LIVE }, data: { deleting: true } });
  if (count === 1) return 'marked';
  return (await db.image.count({ where: { id, ...LIVE } })) === 1 ? 'changed' : 'gone';
}

/** In a gallery's delete transaction: marks every image of it deleted; returns their storage keys. */
export async function markGalleryImagesDeleted(tx: Database, galleryId: number): Promise<string[]> {
  const rows = await tx.image.findMany({ where: { galleryId }, select: { storageKey: true } });
  await tx.image.updateMany({ where: { galleryId, deleting: false }, data: { deleting: true } });
  return rows.map((row) => row.storageKey);
}

/** Bytes a user's uploads take, and the quota set for them (null: the default). */
export async function storageUse(db: Database, userId: number) {
  const [used, user] = await Promise.all([
    db.image.aggregate({ where: { uploaderId: userId }, _sum: { size: true } }),
    db.user.findUnique({ where: { id: userId }, select: { storageQuotaMb: true } }),
  ]);
  return { usedBytes: used._sum.size ?? 0, quotaMb: user?.storageQuotaMb ?? null };
}
