import { z } from 'zod';

import { withEtag } from '../../http/conditional';
import { pageReply } from '../../http/pagination';
import { withMessage } from '../../http/response-schemas';
import { defineRoute } from '../../http/route';
import { toAdminUserJson } from './users.mapper';
import { adminUserReply, listUsersQuery, updateUserBody, userParams } from './users.schemas';
import type { UsersService } from './users.service';

const BASE = '/api/admin/users';

export function userRoutes({ users }: { users: UsersService }) {
  return [
    defineRoute({
      method: 'get',
      path: BASE,
      access: 'user:manage',
      summary: 'List users, oldest first (?limit=, ?cursor=)',
      responses: { 200: z.array(adminUserReply) },
      query: listUsersQuery,
      handler: async ({ req, query }) =>
        pageReply(req, await users.list({ limit: query.limit, afterId: query.cursor }), toAdminUserJson),
    }),
    defineRoute({
      method: 'get',
      path: `${BASE}/:id`,
      access: 'user:manage',
      summary: 'One user (ETag; If-None-Match → 304)',
      responses: { 200: adminUserReply, 304: 'empty' },
      params: userParams,
      handler: async ({ req, params }) => withEtag(req, toAdminUserJson(await users.get(params.id))),
    }),
    defineRoute({
      method: 'patch',
      path: `${BASE}/:id`,
      access: 'user:manage',
      summary: "Change a user's role or active status",
      responses: { 200: withMessage(adminUserReply) },
      params: userParams,
      body: updateUserBody,
      handler: async ({ actor, params, body, reply }) => {
        const user = await users.update(actor, params.id, body);
        return reply(200, { message: 'User updated successfully', ...toAdminUserJson(user) });
      },
    }),
    defineRoute({
      method: 'delete',
      path: `${BASE}/:id/tokens`,
      access: 'user:manage',
      summary: 'Revoke every token of a user',
      params: userParams,
      responses: { 200: z.strictObject({ message: z.string(), revoked: z.number().int() }) },
      handler: async ({ actor, params, reply }) => {
        const revoked = await users.revokeTokens(actor, params.id);
        return reply(200, { message: 'Tokens revoked', revoked });
      },
    }),
  ];
}
