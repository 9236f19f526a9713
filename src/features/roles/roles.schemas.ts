import { z } from 'zod';

import { PERMISSIONS, ROLES, type RoleName } from '../../shared/permissions';

export const roleName = z.enum(ROLES.map((role) => role.name) as [RoleName, ...RoleName[]]);

export const roleReply = z.strictObject({
  name: roleName,
  label: z.string(),
  selfAssignable: z.boolean(),
  permissions: z.array(z.enum(PERMISSIONS)),
});
