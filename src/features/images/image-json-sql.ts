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
export function imageJsonSql(reader: SqlReader, viewer: JsonViewer): { sql: string; join: string; params: unknown[] } {
  const { json } = reader;
  const params: unknown[] = [];
  // Each use of a parameter is a placeholder of its own, made in the order of the text (`?` is
  // never written in the SQL text otherwise: the readers take every `?` for a placeholder).
  const param = (value: unknown) => {
    params.push(value);
    return '?';
  };
  const text = (value: string) => `CAST(${param(value)} AS TEXT)`;
  // The URLs' text needs no escaping past the base (digits, hex, `/`, `?`, `=`, `&`): the base is
  // escaped here once, its opening quote included, its closing one left for the rest. The file's
  // version is computed once a row (`fv`), for the four URLs.
  const base = JSON.stringify(`${viewer.baseUrl}/api/gallery/images/`).slice(0, -1);
  const url = (size: string) => `concat(${text(base)}, i.id, ${text('/file/?v=')}, fv.value, '&size=${size}"')`;
  // The original for its own people (`canSeeOriginal`): its uploader, its gallery's owner.
  const mayOriginal = () =>
    viewer.allOriginals ? '1 = 1' : `i."uploaderId" = ${param(viewer.userId)} OR g."ownerId" = ${param(viewer.userId)}`;
  // The pieces of the text, written by one concat(): no text is copied again for each piece.
  const pieces = [
    `'{"id":'`,
    'i.id',
    `',"title":'`,
    json.text('i.title'),
    `',"image":'`,
    `CASE WHEN ${mayOriginal()} THEN ${url('original')} ELSE ${url('preview')} END`,
    `',"description":'`,
    json.text('i.description'),
    `',"gallery":'`,
    'i."galleryId"',
    `',"gallery_name":'`,
    json.text('g.name'),
    `',"uploader":{"id":'`,
    'i."uploaderId"',
    `',"username":'`,
    json.text('u.username'),
    `'},"original":'`,
    `CASE WHEN ${mayOriginal()} THEN ${url('original')} ELSE 'null' END`,
    `',"preview":'`,
    url('preview'),
    `',"thumbnail":'`,
    url('thumb'),
  ];
  for (const { name, sql, json: kind } of replyColumnsJson) pieces.push(`',"${name}":'`, json[kind](sql));
  const favorite =
    viewer.userId === null
      ? `'false'`
      : json.boolean(
          `EXISTS (SELECT 1 FROM "Favorite" f WHERE f."userId" = ${param(viewer.userId)} AND f."imageId" = i.id)`,
        );
  pieces.push(
    `',"tags":'`,
    json.textArray('t."name"', `FROM "ImageTag" it JOIN "Tag" t ON t."id" = it."tagId" WHERE it."imageId" = i.id`),
    `',"favorite":'`,
    favorite,
    `',"createdAt":'`,
    json.timestamp('i."createdAt"'),
    `',"updatedAt":'`,
    json.timestamp('i."updatedAt"'),
    `'}'`,
  );
  return {
    sql: `concat(\n      ${pieces.join(',\n      ')}\n    )`,
    join: json.perRow(`substr(${json.sha256Hex(`'version:' || i."storageKey"`)}, 1, 16)`, 'fv'),
    params,
  };
}
