import type { Database } from '../db/client';
import { defineRoute } from '../http/route';
import { permissionsOf, SELF_ASSIGNABLE_ROLES, type RoleName } from './permissions';
import { listRoles } from './roles.repository';
import { z } from 'zod';
import { roleReply } from '../users/users.schemas';

export function roleRoutes({ db }: { db: Database }) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/roles',
      access: 'role:read',
      summary: 'The roles, what each may do, and which can be chosen at registration',
      responses: { 200: z.array(roleReply) },
      handler: async ({ res }) => {
        const roles = await listRoles(db);
        res.json(
          roles.map((role) => ({
            name: role.name,
            label: role.label,
            selfAssignable: SELF_ASSIGNABLE_ROLES.includes(role.name as RoleName),
            permissions: permissionsOf(role.name),
          })),
        );
      },
    }),
  ];
}
