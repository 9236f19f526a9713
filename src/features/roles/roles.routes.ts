import { z } from 'zod';

import { defineRoute } from '../../http/route';
import { roleReply } from './roles.schemas';
import type { RolesService } from './roles.service';

export function roleRoutes({ roles }: { roles: RolesService }) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/roles',
      access: 'role:read',
      summary: 'The roles, what each may do, and which can be chosen at registration',
      responses: { 200: z.array(roleReply) },
      handler: async ({ reply }) => reply(200, await roles.list()),
    }),
  ];
}
