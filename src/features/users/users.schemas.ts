import { z } from 'zod';

import { id, timestamp } from '../../http/response-schemas';
import { idParam } from '../../shared/ids';
import { pageQuery } from '../../shared/paging';
import { PERMISSIONS } from '../../shared/permissions';
import { roleName } from '../roles';

export const userParams = z.object({ id: idParam });

export const listUsersQuery = z.object({ ...pageQuery });

export const updateUserBody = z
  .strictObject({
    role: roleName.optional(),
    isActive: z.boolean().optional(),
    /** MiB; null returns the user to the server's default. */
    storageQuotaMb: z.number().int().min(0).max(100_000_000).nullable().optional(),
  })
  .refine((body) => body.role !== undefined || body.isActive !== undefined || body.storageQuotaMb !== undefined, {
    message: 'Send at least one of: role, isActive, storageQuotaMb.',
  });

export const userReply = z.strictObject({
  id,
  username: z.string(),
  email: z.string(),
  role: roleName.nullable(),
  roleLabel: z.string().nullable(),
  isActive: z.boolean(),
  storageQuotaMb: z.number().int().nullable(),
  createdAt: timestamp,
  lastLoginAt: timestamp.nullable(),
});

/** The admin's view of a user: `twoFactor` is whether two-factor sign-in is on. */
export const adminUserReply = userReply.extend({
  twoFactor: z.boolean().meta({
    description: 'Two-factor sign-in is on (DELETE /api/admin/users/{id}/2fa resets it and removes passkeys)',
  }),
});

export const meReply = userReply.extend({ permissions: z.array(z.enum(PERMISSIONS)) });
