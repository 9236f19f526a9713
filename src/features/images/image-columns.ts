import { z } from 'zod';

import { asBoolean, asIsoTimestamp } from '../../platform/db/sql-reader';

/**
 * An image's columns, declared once. Everything else follows from this list: the row type
 * (`ImageRow`, from each column's `read`), the ORM's select, the plain-SQL reads of the hot path
 * (their SELECT list and the row builder), the columns that describe the file (`file`: what a new
 * file replaces and a failed replacement puts back), and the part of the reply that shows columns
 * as stored (`reply`: its schema, and the mapper's copy). Adding a column is one line here, plus
 * the migration.
 */
/** How a column shown as stored is written in JSON (for replies built by the database). */
type JsonKind = 'text' | 'integer' | 'number' | 'boolean';
type Column = { sql: string; read: (raw: unknown) => unknown; file?: true } & (
  { reply?: never; json?: never } | { reply: z.ZodType; json: JsonKind }
);

const number = (raw: unknown) => raw as number;
const text = (raw: unknown) => raw as string;
const optionalNumber = (raw: unknown) => raw as number | null;
const optionalText = (raw: unknown) => raw as string | null;

/** Shared with the share links' image reply. */
export const thumbhashField = z.string().nullable().meta({
  description:
    'ThumbHash (base64) of the upright image: a placeholder to draw before the thumbnail loads; null for images stored before it was computed',
});

/** Width and height: the size the image is shown at (its original's EXIF orientation applied). */
const displayedSide = (side: 'Width' | 'Height') =>
  z
    .number()
    .int()
    .nullable()
    .meta({
      description: `${side} in pixels as the image is shown: after its EXIF orientation (5-8 swap the encoded width and height), the aspect of its preview and thumbnail`,
    });

/** A value read from the original's EXIF when it was stored (null: not recorded, or stored before it was read). */
const exifField = (description: string) =>
  z
    .string()
    .nullable()
    .meta({ description: `${description}; null when not recorded` });
const exifNumber = (description: string, integer = false) =>
  (integer ? z.number().int() : z.number())
    .positive()
    .nullable()
    .meta({
      description: `${description} (EXIF); null when not recorded`,
    });

/* The columns shown as stored come in the order of the reply. */
export const IMAGE_COLUMNS = {
  id: { sql: 'i.id', read: number },
  title: { sql: 'i.title', read: text },
  description: { sql: 'i.description', read: text },
  galleryId: { sql: 'i."galleryId"', read: number },
  uploaderId: { sql: 'i."uploaderId"', read: number, file: true },
  storageKey: { sql: 'i."storageKey"', read: text, file: true },
  mimeType: {
    sql: 'i."mimeType"',
    json: 'text',
    read: text,
    file: true,
    reply: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif']),
  },
  size: { sql: 'i.size', json: 'integer', read: number, file: true, reply: z.number().int().nonnegative() },
  width: { sql: 'i.width', json: 'integer', read: optionalNumber, file: true, reply: displayedSide('Width') },
  height: { sql: 'i.height', json: 'integer', read: optionalNumber, file: true, reply: displayedSide('Height') },
  orientation: {
    sql: 'i.orientation',
    json: 'integer',
    read: optionalNumber,
    file: true,
    reply: z.number().int().min(1).max(8).nullable().meta({
      description:
        'EXIF orientation of the original (1-8); width, height and the variants already follow it: clients do not turn them again',
    }),
  },
  capturedAt: {
    sql: 'i."capturedAt"',
    json: 'text',
    read: optionalText,
    file: true,
    reply: z.string().nullable().meta({ description: 'When the photo was taken (EXIF), as the camera wrote it' }),
  },
  cameraModel: { sql: 'i."cameraModel"', json: 'text', read: optionalText, file: true, reply: z.string().nullable() },
  lensModel: {
    sql: 'i."lensModel"',
    json: 'text',
    read: optionalText,
    file: true,
    reply: exifField('Lens model (EXIF)'),
  },
  focalLength: {
    sql: 'i."focalLength"',
    json: 'number',
    read: optionalNumber,
    file: true,
    reply: exifNumber('Focal length in mm'),
  },
  fNumber: {
    sql: 'i."fNumber"',
    json: 'number',
    read: optionalNumber,
    file: true,
    reply: exifNumber('Aperture: the f-number'),
  },
  exposureTime: {
    sql: 'i."exposureTime"',
    json: 'number',
    read: optionalNumber,
    file: true,
    reply: exifNumber('Exposure in seconds'),
  },
  iso: { sql: 'i.iso', json: 'integer', read: optionalNumber, file: true, reply: exifNumber('ISO speed', true) },
  hasGps: {
    sql: 'i."hasGps"',
    json: 'boolean',
    read: asBoolean,
    file: true,
    reply: z.boolean().meta({ description: 'Whether the original carries a GPS position (never shown in variants)' }),
  },
  // ThumbHash of the upright image, base64: a placeholder for clients (null: stored before it existed).
  thumbhash: { sql: 'i.thumbhash', json: 'text', read: optionalText, file: true, reply: thumbhashField },
  sha256: { sql: 'i.sha256', json: 'text', read: text, file: true, reply: z.string().regex(/^[a-f0-9]{64}$/) },
  // Which version of the metadata reader (exif.ts) read the file; not in replies.
  metadataVersion: { sql: 'i."metadataVersion"', read: number, file: true },
  createdAt: { sql: 'i."createdAt"', read: asIsoTimestamp },
  updatedAt: { sql: 'i."updatedAt"', read: asIsoTimestamp },
} as const satisfies Record<string, Column>;

type Columns = typeof IMAGE_COLUMNS;
type ColumnName = keyof Columns;

/** An image with what its JSON and its policy need: its gallery's name and owner, its uploader. */
export type ImageRow = { [K in ColumnName]: ReturnType<Columns[K]['read']> } & {
  gallery: { name: string; ownerId: number };
  uploader: { id: number; username: string };
};

/** The columns a new row is written with. */
export type NewImage = Omit<ImageRow, 'id' | 'createdAt' | 'updatedAt' | 'gallery' | 'uploader'>;

type Where<P> = { [K in ColumnName]: Columns[K] extends P ? K : never }[ColumnName];
type FileColumn = Where<{ file: true }>;
type ReplyColumn = Where<{ reply: z.ZodType }>;

const NAMES = Object.keys(IMAGE_COLUMNS) as ColumnName[];
const READERS = NAMES.map((name) => IMAGE_COLUMNS[name].read);
const FILE_COLUMNS = NAMES.filter((name): name is FileColumn => 'file' in IMAGE_COLUMNS[name]);
const REPLY_COLUMNS = NAMES.filter((name): name is ReplyColumn => 'reply' in IMAGE_COLUMNS[name]);

/** The joined columns, after the image's own. */
const JOINED = ['g.name', 'g."ownerId"', 'u.username'] as const;

/** The SELECT list of the plain-SQL reads: the image's columns in declaration order, then JOINED. */
export const IMAGE_SELECT_LIST = [...NAMES.map((name) => IMAGE_COLUMNS[name].sql), ...JOINED].join(', ');
/** Where a column is in a row of IMAGE_SELECT_LIST (for a keyset cursor); what follows the list starts at SELECTED. */
export const positionOf = (name: ColumnName) => NAMES.indexOf(name);
export const SELECTED = NAMES.length + JOINED.length;

/** The ORM's select for the same row. */
export const imageSelect = {
  ...(Object.fromEntries(NAMES.map((name) => [name, true])) as { [K in ColumnName]: true }),
  gallery: { select: { name: true, ownerId: true } },
  uploader: { select: { id: true, username: true } },
} as const;

const IMAGE_ROW_FIELDS = NAMES.length;

/** A row of IMAGE_SELECT_LIST as an ImageRow. */
export function imageFromRow(row: unknown[]): ImageRow {
  const image: Record<string, unknown> = {};
  for (let i = 0; i < IMAGE_ROW_FIELDS; i++) image[NAMES[i]] = READERS[i](row[i]);
  image.gallery = { name: row[IMAGE_ROW_FIELDS], ownerId: row[IMAGE_ROW_FIELDS + 1] };
  image.uploader = { id: image.uploaderId, username: row[IMAGE_ROW_FIELDS + 2] };
  return image as ImageRow;
}

/** A row read through the ORM (with `imageSelect`) as an ImageRow: its values evened out by the same `read`s. */
export function imageFromRecord(
  record: Record<ColumnName, unknown> & Pick<ImageRow, 'gallery' | 'uploader'>,
): ImageRow {
  const image: Record<string, unknown> = {};
  for (let i = 0; i < IMAGE_ROW_FIELDS; i++) image[NAMES[i]] = READERS[i](record[NAMES[i]]);
  image.gallery = record.gallery;
  image.uploader = record.uploader;
  return image as ImageRow;
}

/** The columns that describe an image's file, as they are: what a failed replacement puts back. */
export function fileColumnsOf(image: ImageRow): Pick<ImageRow, FileColumn> {
  return Object.fromEntries(FILE_COLUMNS.map((name) => [name, image[name]])) as Pick<ImageRow, FileColumn>;
}

/** The reply's fields that show columns as stored: their schemas, in the reply's order. */
export const imageReplyColumns = Object.fromEntries(REPLY_COLUMNS.map((name) => [name, IMAGE_COLUMNS[name].reply])) as {
  [K in ReplyColumn]: Columns[K]['reply'];
};

/** The columns shown as stored, in the reply's order: their SQL and how each is written in JSON. */
export const replyColumnsJson = REPLY_COLUMNS.map((name) => ({
  name,
  sql: IMAGE_COLUMNS[name].sql,
  json: IMAGE_COLUMNS[name].json,
}));

/** Copies the columns shown as stored into `reply`. */
export function copyReplyColumns(image: ImageRow, reply: Record<string, unknown>): void {
  for (let i = 0; i < REPLY_COLUMNS.length; i++) reply[REPLY_COLUMNS[i]] = image[REPLY_COLUMNS[i]];
}
