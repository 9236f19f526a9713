import { z } from 'zod';

import { id, timestamp, userRef } from '../../http/response-schemas';
import { nameField, textField } from '../../http/text-fields';
import { idField, idParam } from '../../shared/ids';
import { listQuery } from '../../shared/paging';

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

/** Shared with the share links' image reply. */
export const thumbhashField = z.string().nullable().meta({
  description:
    'ThumbHash (base64) of the upright image: a placeholder to draw before the thumbnail loads; null for images stored before it was computed',
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
  mimeType: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif']),
  size: z.number().int().nonnegative(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  orientation: z.number().int().min(1).max(8).nullable(),
  capturedAt: z.string().nullable().meta({ description: 'When the photo was taken (EXIF), as the camera wrote it' }),
  cameraModel: z.string().nullable(),
  hasGps: z.boolean().meta({ description: 'Whether the original carries a GPS position (never shown in variants)' }),
  thumbhash: thumbhashField,
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
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
