import { z } from 'zod';

import { id, timestamp, userRef } from '../../http/response-schemas';
import { nameField, textField } from '../../http/text-fields';
import { idField, idParam } from '../../shared/ids';
import { flag, listQuery, SORTS } from '../../shared/paging';
import { imageReplyColumns } from './image-columns';
import { tagField } from './tag-names';

export { thumbhashField } from './image-columns';

export const imageParams = z.object({ id: idParam });

const title = nameField();
const description = textField();
const galleryId = idField('A gallery id is required: a whole number from 1, in decimal digits.');

export const createImageBody = z.object({
  title,
  description: description.default(''),
  gallery: galleryId,
});

export const updateImageBody = z.object({
  title: title.optional(),
  description: description.optional(),
  gallery: galleryId.optional(),
});

/** A date taken bound: a day, or a time to the minute or second, as the camera's own clock reads. */
const takenBound = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/,
    'A date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS), as the camera recorded it.',
  )
  .refine((value) => !Number.isNaN(Date.parse(`${value.length === 10 ? `${value}T00:00` : value}Z`)), {
    message: 'Not a date.',
  });

/** The most `tag=` one list request may name. */
const MAX_TAG_FILTERS = 10;

/** `tag=a&tag=b`: each read as a stored tag is (`tagField`: normalised, a bad one refused). */
const tagFilter = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => [value].flat())
  .pipe(z.array(tagField).max(MAX_TAG_FILTERS));

export const listImagesQuery = z.object({
  gallery: galleryId.optional(),
  uploader: idParam.optional(),
  ...listQuery,
  q: listQuery.q.meta({
    description:
      'Full-text search over title, description and tags: every word must match (case and, on SQLite, accents folded; no stemming), the last one as a prefix',
  }),
  sort: z.enum(SORTS).default('-created'),
  tag: tagFilter.optional().meta({ description: 'Only images with this tag; repeat for several (all must match)' }),
  takenFrom: takenBound.optional().meta({ description: "Taken on or after (the camera's local time)" }),
  takenTo: takenBound.optional().meta({ description: 'Taken on or before (a day: that whole day)' }),
  camera: z.string().trim().min(1).max(200).optional().meta({ description: 'Camera make and model, any case' }),
  favorite: flag.optional().meta({ description: "true: only the caller's starred images; false: only the others" }),
});

export const imageReply = z.strictObject({
  id,
  title: z.string(),
  image: z.string(),
  description: z.string(),
  gallery: id,
  gallery_name: z.string(),
  uploader: userRef,
  original: z
    .string()
    .nullable()
    .meta({ description: 'The original file, with its EXIF; null for callers who may only see variants' }),
  preview: z.string().meta({ description: 'WebP, at most 1440 px a side, upright, no metadata' }),
  thumbnail: z.string().meta({ description: 'WebP, at most 256 px a side, upright, no metadata' }),
  ...imageReplyColumns,
  tags: z.array(z.string()).meta({ description: 'Its tags, sorted' }),
  favorite: z.boolean().meta({ description: 'Whether the caller starred it (their own favorites)' }),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const fileQuery = z.object({
  size: z.enum(['thumb', 'preview', 'original']).optional(),
  v: z.string().max(64).optional(),
});

export const sha256Params = z.object({
  id: idParam,
  sha256: z
    .string()
    .regex(/^[a-fA-F0-9]{64}$/, 'A SHA-256 in hex (64 characters).')
    .transform((value) => value.toLowerCase()),
});
