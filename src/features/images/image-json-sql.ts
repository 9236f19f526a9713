import type { SqlReader } from '../../platform/db/sql-reader';
import { replyColumnsJson } from './image-columns';

/** Whose reply an image's JSON is: what it shows besides the row. */
export type JsonViewer = {
  /** The server's address, as in every file URL (`publicUrl`, or the request's own). */
  baseUrl: string;
  /** Whether the caller may fetch every original (an admin, or ORIGINALS_VISIBLE_TO=everyone). */
  allOriginals: boolean;
  /** Whose stars show; null: nobody's (nothing is starred). */
  userId: number | null;
};

/**
 * An SQL expression that writes an image's reply (`toImageJson`, with its tags and the caller's
 * star) as JSON text, byte for byte what JSON.stringify writes of it, on a query of images `i`
 * joined with their gallery `g` and uploader `u`; with its parameters, which come in the order of
 * the expression. What the mapper computes is computed here in SQL: the file URLs and their
 * version (the SHA-256 of the storage key), the original for its own people only, the tags in
 * code point order.
 */
export function imageJsonSql(reader: SqlReader, viewer: JsonViewer): { sql: string; params: unknown[] } {
  const { json } = reader;
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return '?';
  };
  // The URLs' text needs no escaping past the base (digits, hex, `/`, `?`, `=`, `&`): the base is
  // escaped here once, its opening quote included, its closing one left for the rest.
  const base = JSON.stringify(`${viewer.baseUrl}/api/gallery/images/`).slice(0, -1);
  const version = `substr(${json.sha256Hex(`'version:' || i."storageKey"`)}, 1, 16)`;
  // Each use of a parameter is a placeholder of its own, made in the order of the text. The
  // original for its own people (`canSeeOriginal`): its uploader, its gallery's owner.
  // (`?` is never written in the SQL text: the readers take every `?` for a placeholder.)
  const url = (size: string) =>
    `CAST(${param(base)} AS TEXT) || i.id || CAST(${param('/file/?v=')} AS TEXT) || ${version} || '&size=${size}"'`;
  const mayOriginal = () =>
    viewer.allOriginals ? '1 = 1' : `i."uploaderId" = ${param(viewer.userId)} OR g."ownerId" = ${param(viewer.userId)}`;
  const head = [
    `'{"id":' || i.id`,
    `',"title":' || ${json.text('i.title')}`,
    `',"image":' || CASE WHEN ${mayOriginal()} THEN ${url('original')} ELSE ${url('preview')} END`,
    `',"description":' || ${json.text('i.description')}`,
    `',"gallery":' || i."galleryId"`,
    `',"gallery_name":' || ${json.text('g.name')}`,
    `',"uploader":{"id":' || i."uploaderId" || ',"username":' || ${json.text('u.username')} || '}'`,
    `',"original":' || CASE WHEN ${mayOriginal()} THEN ${url('original')} ELSE 'null' END`,
    `',"preview":' || ${url('preview')}`,
    `',"thumbnail":' || ${url('thumb')}`,
  ];
  const columns = replyColumnsJson.map(({ name, sql, json: kind }) => `',"${name}":' || ${json[kind](sql)}`);
  const tags = json.textArray(
    't."name"',
    `FROM "ImageTag" it JOIN "Tag" t ON t."id" = it."tagId" WHERE it."imageId" = i.id`,
  );
  const favorite =
    viewer.userId === null
      ? `'false'`
      : json.boolean(
          `EXISTS (SELECT 1 FROM "Favorite" f WHERE f."userId" = ${param(viewer.userId)} AND f."imageId" = i.id)`,
        );
  const tail = [
    `',"tags":' || ${tags}`,
    `',"favorite":' || ${favorite}`,
    `',"createdAt":' || ${json.timestamp('i."createdAt"')}`,
    `',"updatedAt":' || ${json.timestamp('i."updatedAt"')} || '}'`,
  ];
  return { sql: [...head, ...columns, ...tail].join('\n    || '), params };
}
