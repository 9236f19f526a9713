import { z } from 'zod';
import { pageQuery } from '../http/pagination';
import { idParam } from '../images/images.schemas';

export const galleryParams = z.object({ id: idParam });

const name = z.string().trim().min(1, 'This field is required.').max(200, 'At most 200 characters.');
const description = z.string().trim().max(5000, 'At most 5000 characters.');

export const createGalleryBody = z.object({
  name: z.string({ error: 'This field is required.' }).pipe(name),
  description: description.default(''),
});

export const updateGalleryBody = z
  .object({ name: name.optional(), description: description.optional() })
  .refine((body) => body.name !== undefined || body.description !== undefined, {
    message: 'Send at least one of: name, description.',
  });

export const listGalleriesQuery = z.object({
  owner: idParam.optional(),
  ...pageQuery,
});
