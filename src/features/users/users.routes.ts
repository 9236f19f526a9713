import { z } from 'zod';

import { sendWithEtag } from '../../http/conditional';
import { sendPage } from '../../http/pagination';
import { withMessage } from '../../http/response-schemas';
import { defineRoute } from '../../http/route';
import { toUserJson } from './users.mapper';
import { listUsersQuery, updateUserBody, userParams, userReply } from './users.schemas';
import type { UsersService } from './users.service';

const BASE = '/api/admin/users';

export function userRoutes({ users }: { users: UsersService }) {
  return [
    defineRoute({
      method: 'get',
      path: BASE,
      access: 'user:manage',
      summary: 'List users, oldest first (?limit=, ?cursor=)',
      responses: { 200: z.array(userReply) },
      query: listUsersQuery,
      handler: async ({ req, res, query }) => {
        sendPage(req, res, await users.list({ limit: query.limit, afterId: query.cursor }), toUserJson);
      },
    }),
    defineRoute({
      method: 'get',
      path: `${BASE}/:id`,
      access: 'user:manage',
      summary: 'One user (ETag; If-None-Match → 304)',
      responses: { 200: userReply, 304: 'empty' },
      params: userParams,
      handler: async ({ req, res, params }) => {
        sendWithEtag(req, res, toUserJson(await users.get(params.id)));
      },
    }),
    defineRoute({
      method: 'patch',
      path: `${BASE}/:id`,
      access: 'user:manage',
      summary: "Change a user's role or active status",
      responses: { 200: withMessage(userReply) },
      params: userParams,
      body: updateUserBody,
      handler: async ({ res, actor, params, body }) => {
        const user = await users.update(actor, params.id, body);
        res.json({ message: 'User updated successfully', ...toUserJson(user) });
      },
    }),
    defineRoute({
      method: 'delete',
      path: `${BASE}/:id/tokens`,
      access: 'user:manage',
      summary: 'Revoke every token of a user',
      params: userParams,
      responses: { 200: z.strictObject({ message: z.string(), revoked: z.number().int() }) },
      handler: async ({ res, actor, params }) => {
        const revoked = await users.revokeTokens(actor, params.id);
        res.json({ message: 'Tokens revoked', revoked });
      },
    }),
  ];
}
