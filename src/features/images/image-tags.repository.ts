import type { Database } from '../../platform/db/client';
import type { SqlReader } from '../../platform/db/sql-reader';
import { withVisibility, type Viewer } from '../galleries';
import { LIVE_IMAGE } from './images.repository';

/*
 * Tags (a name each, unique) and which images carry them. Every write is meant to run in the
 * transaction of its change, after `lockLiveImage`.
 */

/**
 * In a transaction: a write lock on the image's row (on SQLite: the database's write lock), so
 * that changes to its tags take turns and its count of tags holds until the commit. False when it
 * is not live or no longer in the gallery the change was authorized in.
 */
export async function lockLiveImage(tx: Database, imageId: number, galleryId: number): Promise<boolean> {
  const locked = await tx.$executeRaw`UPDATE "Image" SET "id" = "id"
    WHERE "id" = ${imageId} AND "galleryId" = ${galleryId} AND NOT "deleting" AND NOT "trashed"`;
  return locked === 1;
}

/** The image's tag names, sorted. */
export async function tagNamesOf(db: Database, imageId: number): Promise<string[]> {
  const rows = await db.imageTag.findMany({ where: { imageId }, select: { tag: { select: { name: true } } } });
  return rows.map((row) => row.tag.name).sort();
}

/**
 * The ids of these tags, each created when it does not exist yet. Safe when other requests create
 * the same tag at the same time: the insert does nothing on a name that is there (on PostgreSQL it
 * waits for a concurrent insert of it to commit), and the read that follows sees the row.
 */
export async function tagIdsOf(tx: Database, names: string[]): Promise<Map<string, number>> {
  const now = new Date();
  for (const name of names) {
    await tx.$executeRaw`INSERT INTO "Tag" ("name", "createdAt") VALUES (${name}, ${now}) ON CONFLICT ("name") DO NOTHING`;
  }
  const rows = await tx.tag.findMany({ where: { name: { in: names } }, select: { id: true, name: true } });
  return new Map(rows.map((row) => [row.name, row.id]));
}

/** Puts these tags on the image (those it has already stay as they are). */
export async function addTags(tx: Database, imageId: number, names: string[]): Promise<void> {
  for (const tagId of (await tagIdsOf(tx, names)).values()) {
    await tx.$executeRaw`INSERT INTO "ImageTag" ("imageId", "tagId") VALUES (${imageId}, ${tagId}) ON CONFLICT DO NOTHING`;
  }
}

/** Takes these tags off the image. */
export async function removeTags(tx: Database, imageId: number, names: string[]): Promise<void> {
  await tx.imageTag.deleteMany({ where: { imageId, tag: { name: { in: names } } } });
}

/**
 * The tags of many images at once (each image's sorted), and which of them `userId` starred: one
 * query for a whole page.
 */
/** Texts in the order of their code points (UTF-8 bytes), not of their UTF-16 units as sort() does. */
const byCodePoint = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export async function tagsAndFavoritesOf(reader: SqlReader, ids: number[], userId: number | null) {
  const tags = new Map<number, string[]>();
  const favorites = new Set<number>();
  if (ids.length === 0) return { tags, favorites };
  const list = ids.map(() => '?').join(', ');
  const tagRows = `SELECT it."imageId", t."name" FROM "ImageTag" it JOIN "Tag" t ON t."id" = it."tagId" WHERE it."imageId" IN (${list})`;
  const rows = await reader.rows(
    userId === null
      ? tagRows
      : `${tagRows} UNION ALL SELECT f."imageId", NULL FROM "Favorite" f WHERE f."userId" = ? AND f."imageId" IN (${list})`,
    userId === null ? ids : [...ids, userId, ...ids],
  );
  for (const [imageId, name] of rows) {
    if (name === null) favorites.add(imageId as number);
    else if (tags.has(imageId as number)) tags.get(imageId as number)!.push(name as string);
    else tags.set(imageId as number, [name as string]);
  }
  // In code point order, as the database orders them in the page it writes itself (image-json-sql.ts).
  for (const names of tags.values()) names.sort(byCodePoint);
  return { tags, favorites };
}

/** `text` for a LIKE pattern with `!` as its escape: its own `%`, `_` and `!` match themselves. */
const likePrefix = (text: string) => `${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;

/**
 * Tags starting with `prefix`, with how many live images of galleries `viewer` may see carry
 * them; tags on none of those are not shown. Most used first, then by name.
 */
export async function suggestTags(reader: SqlReader, viewer: Viewer, prefix: string, limit: number) {
  const filters = withVisibility(
    [
      { sql: LIVE_IMAGE, params: [] },
      { sql: `t."name" LIKE ? ESCAPE '!'`, params: [likePrefix(prefix)] },
    ],
    viewer,
    'g',
  );
  return reader.all<{ id: number; name: string; count: number | bigint | string }>(
    `SELECT t."id" AS "id", t."name" AS "name", COUNT(*) AS "count"
     FROM "Tag" t
     JOIN "ImageTag" it ON it."tagId" = t."id"
     JOIN "Image" i ON i."id" = it."imageId"
     JOIN "Gallery" g ON g."id" = i."galleryId"
     WHERE ${filters.map((f) => f.sql).join(' AND ')}
     GROUP BY t."id", t."name"
     ORDER BY COUNT(*) DESC, t."name"
     LIMIT ?`,
    [...filters.flatMap((f) => f.params), limit],
  );
}

export function findTag(db: Database, id: number) {
  return db.tag.findUnique({ where: { id }, select: { id: true, name: true } });
}

export function findTagByName(db: Database, name: string) {
  return db.tag.findUnique({ where: { name }, select: { id: true, name: true } });
}

/** The ids of the images (all, live or not) that carry a tag. */
export async function imagesWithTag(db: Database, tagId: number): Promise<number[]> {
  const rows = await db.imageTag.findMany({ where: { tagId }, select: { imageId: true } });
  return rows.map((row) => row.imageId);
}

export async function renameTag(tx: Database, id: number, name: string): Promise<void> {
  await tx.tag.update({ where: { id }, data: { name } });
}

/**
 * In a transaction: every image with tag `from` gets tag `into` instead (once, when it had both),
 * and `from` is deleted.
 */
export async function mergeTag(tx: Database, from: number, into: number): Promise<void> {
  await tx.$executeRaw`INSERT INTO "ImageTag" ("imageId", "tagId")
    SELECT "imageId", ${into} FROM "ImageTag" WHERE "tagId" = ${from} ON CONFLICT DO NOTHING`;
  await tx.tag.delete({ where: { id: from } });
}
