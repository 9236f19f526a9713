import { z } from 'zod';

import { id, timestamp, userRef } from '../../http/response-schemas';
import { nameField, textField } from '../../http/text-fields';
import { idParam } from '../../shared/ids';
import { listQuery } from '../../shared/paging';
import { MEMBER_ROLES, VISIBILITIES } from './galleries.access';

export const galleryParams = z.object({ id: idParam });

const name = nameField();
const description = textField();
const visibility = z.enum(VISIBILITIES);

/** Galleries are new to this API: unknown fields (ownerId, id, …) are refused, not ignored. */
export const createGalleryBody = z.strictObject({
  name,
  description: description.default(''),
  visibility: visibility.default('shared'),
});

export const updateGalleryBody = z
  .strictObject({ name: name.optional(), description: description.optional(), visibility: visibility.optional() })
  .refine((body) => body.name !== undefined || body.description !== undefined || body.visibility !== undefined, {
    message: 'Send at least one of: name, description, visibility.',
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
  visibility,
  imageCount: z.number().int().nonnegative(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const memberParams = z.object({ id: idParam, userId: idParam });

const username = z.string().trim().min(1).max(150);
const memberRole = z.enum(MEMBER_ROLES);

export const addMemberBody = z.strictObject({ username, role: memberRole.default('viewer') });
export const changeMemberBody = z.strictObject({ role: memberRole });
export const transferBody = z.strictObject({ username });

export const memberReply = z.strictObject({
  user: userRef,
  role: memberRole,
  addedAt: timestamp,
});
