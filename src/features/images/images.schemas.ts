import { z } from 'zod';

import { id, timestamp, userRef } from '../../http/response-schemas';
import { nameField, textField } from '../../http/text-fields';
import { idField, idParam } from '../../shared/ids';
import { listQuery } from '../../shared/paging';
import { imageReplyColumns } from './image-columns';

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

export const listImagesQuery = z.object({
  gallery: galleryId.optional(),
  uploader: idParam.optional(),
  ...listQuery,
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
