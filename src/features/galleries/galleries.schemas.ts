import { z } from 'zod';
import { listQuery } from '../../shared/paging';
import { id, timestamp, userRef } from '../../http/response-schemas';
import { nameField, textField } from '../../http/text-fields';
import { idParam } from '../../shared/ids';

export const galleryParams = z.object({ id: idParam });

const name = nameField();
const description = textField();

/** Galleries are new to this API: unknown fields (ownerId, id, …) are refused, not ignored. */
export const createGalleryBody = z.strictObject({
  name,
  description: description.default(''),
});

export const updateGalleryBody = z
  .strictObject({ name: name.optional(), description: description.optional() })
  .refine((body) => body.name !== undefined || body.description !== undefined, {
    message: 'Send at least one of: name, description.',
  });

export const listGalleriesQuery = z.object({
  owner: idParam.optional(),
  ...listQuery,
});

export const galleryReply = z.strictObject({
  id,
  name: z.string(),
  description: z.string(),
  owner: userRef,
  imageCount: z.number().int().nonnegative(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
