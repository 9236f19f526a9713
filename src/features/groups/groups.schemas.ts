import { z } from 'zod';

import { id, timestamp, userRef } from '../../http/response-schemas';
import { nameField, textField } from '../../http/text-fields';
import { idParam } from '../../shared/ids';
import { pageQuery } from '../../shared/paging';

/** A group's name: trimmed, one line, at most this long; unique whatever its case. */
export const GROUP_NAME_MAX = 100;
const name = nameField(GROUP_NAME_MAX);
const description = textField(1000);

export const groupParams = z.object({ id: idParam });
export const groupUserParams = z.object({ id: idParam, userId: idParam });
export const listGroupsQuery = z.object({ ...pageQuery });

export const createGroupBody = z.strictObject({ name, description: description.default('') });

export const updateGroupBody = z
  .strictObject({ name: name.optional(), description: description.optional() })
  .refine((body) => body.name !== undefined || body.description !== undefined, {
    message: 'Send at least one of: name, description.',
  });

export const addGroupUserBody = z.strictObject({ username: z.string().trim().min(1).max(150) });

export const groupReply = z.strictObject({
  id,
  name: z.string(),
  description: z.string(),
  memberCount: z.number().int().nonnegative(),
  createdAt: timestamp,
});

export const groupUserReply = z.strictObject({ user: userRef, addedAt: timestamp });
