import { z } from 'zod';
import { pageQuery } from '../http/pagination';
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
  ...pageQuery,
});
