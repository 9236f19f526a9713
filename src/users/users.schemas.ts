import { z } from 'zod';
import { pageQuery } from '../http/pagination';
import { idParam } from '../images/images.schemas';
import { PERMISSIONS, ROLES, type RoleName } from '../roles/permissions';
import { id, timestamp } from '../http/response-schemas';

export const userParams = z.object({ id: idParam });

export const listUsersQuery = z.object({ ...pageQuery });

export const updateUserBody = z
  .strictObject({
    role: z.enum(ROLES.map((role) => role.name) as [RoleName, ...RoleName[]]).optional(),
    isActive: z.boolean().optional(),
    /** MiB; null returns the user to the server's default. */
    storageQuotaMb: z.number().int().min(0).max(100_000_000).nullable().optional(),
  })
  .refine((body) => body.role !== undefined || body.isActive !== undefined || body.storageQuotaMb !== undefined, {
    message: 'Send at least one of: role, isActive, storageQuotaMb.',
  });

const roleName = z.enum(ROLES.map((role) => role.name) as [RoleName, ...RoleName[]]);

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

export const meReply = userReply.extend({ permissions: z.array(z.enum(PERMISSIONS)) });

export const roleReply = z.strictObject({
  name: roleName,
  label: z.string(),
  selfAssignable: z.boolean(),
  permissions: z.array(z.enum(PERMISSIONS)),
});
