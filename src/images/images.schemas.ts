import { z } from 'zod';
import { listQuery } from '../http/listing';
import { id, timestamp, userRef } from '../http/response-schemas';
import { nameField, textField } from '../http/text-fields';

export const idParam = z.coerce.number().int().min(1).max(2_147_483_647);
export const imageParams = z.object({ id: idParam });

const title = nameField();
const description = textField();
const galleryId = z.coerce.number({ error: 'A gallery id is required.' }).int().min(1).max(2_147_483_647);

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
  mimeType: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif']),
  size: z.number().int().nonnegative(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
  createdAt: timestamp,
  updatedAt: timestamp,
});
