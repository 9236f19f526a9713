import { z } from 'zod';
import { pageQuery } from '../http/pagination';
import { idParam } from '../images/images.schemas';
import { ROLES, type RoleName } from '../roles/permissions';

export const userParams = z.object({ id: idParam });

export const listUsersQuery = z.object({ ...pageQuery });

export const updateUserBody = z
  .strictObject({
    role: z.enum(ROLES.map((role) => role.name) as [RoleName, ...RoleName[]]).optional(),
    isActive: z.boolean().optional(),
  })
  .refine((body) => body.role !== undefined || body.isActive !== undefined, {
    message: 'Send at least one of: role, isActive.',
  });
