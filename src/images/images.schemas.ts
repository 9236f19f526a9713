import { z } from 'zod';
import { pageQuery } from '../http/pagination';

export const idParam = z.coerce.number().int().min(1).max(2_147_483_647);
export const imageParams = z.object({ id: idParam });

const title = z.string().trim().min(1, 'This field is required.').max(200, 'At most 200 characters.');
const description = z.string().trim().max(5000, 'At most 5000 characters.');
const galleryId = z.coerce.number({ error: 'A gallery id is required.' }).int().min(1).max(2_147_483_647);

export const createImageBody = z.object({
  title: z.string({ error: 'This field is required.' }).pipe(title),
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
  ...pageQuery,
});
