import { z } from 'zod';

import { pageReply } from '../../http/pagination';
import { messageOnly, withMessage } from '../../http/response-schemas';
import { defineRoute } from '../../http/route';
import { toGroupJson, toGroupUserJson } from './groups.mapper';
import {
  addGroupUserBody,
  createGroupBody,
  groupParams,
  groupReply,
  groupUserParams,
  groupUserReply,
  listGroupsQuery,
  updateGroupBody,
} from './groups.schemas';
import type { GroupsService } from './groups.service';

const BASE = '/api/admin/groups';

/** Groups of users (admins): a group is a member of galleries as a user is. */
export function groupRoutes({ groups }: { groups: GroupsService }) {
  return [...groupCrudRoutes(groups), ...groupUserRoutes(groups)];
}

function groupCrudRoutes(groups: GroupsService) {
  return [
    defineRoute({
      method: 'get',
      path: BASE,
      access: 'user:manage',
      summary: 'List groups with their member counts, oldest first (?limit=, ?cursor=)',
      responses: { 200: z.array(groupReply) },
      query: listGroupsQuery,
      handler: async ({ req, query }) =>
        pageReply(req, await groups.list({ limit: query.limit, afterId: query.cursor }), toGroupJson),
    }),
    defineRoute({
      method: 'post',
      path: BASE,
      access: 'user:manage',
      summary: 'Create a group; 409 when its name is taken (ignoring case)',
      responses: { 201: withMessage(groupReply) },
      errors: ['CONFLICT'],
      body: createGroupBody,
      handler: async ({ actor, body, reply }) =>
        reply(201, { message: 'Group created', ...toGroupJson(await groups.create(actor, body)) }),
    }),
    defineRoute({
      method: 'get',
      path: `${BASE}/:id`,
      access: 'user:manage',
      summary: 'One group',
      responses: { 200: groupReply },
      params: groupParams,
      handler: async ({ params, reply }) => reply(200, toGroupJson(await groups.get(params.id))),
    }),
    defineRoute({
      method: 'patch',
      path: `${BASE}/:id`,
      access: 'user:manage',
      summary: "Rename a group or change its description; 409 when the name is another group's",
      responses: { 200: withMessage(groupReply) },
      errors: ['CONFLICT'],
      params: groupParams,
      body: updateGroupBody,
      handler: async ({ actor, params, body, reply }) =>
        reply(200, { message: 'Group updated', ...toGroupJson(await groups.update(actor, params.id, body)) }),
    }),
    defineRoute({
      method: 'delete',
      path: `${BASE}/:id`,
      access: 'user:manage',
      summary: 'Delete a group: its users lose what it gave them in every gallery',
      responses: { 200: messageOnly },
      params: groupParams,
      handler: async ({ actor, params, reply }) => {
        await groups.remove(actor, params.id);
        return reply(200, { message: 'Group deleted' });
      },
    }),
  ];
}

function groupUserRoutes(groups: GroupsService) {
  return [
    defineRoute({
      method: 'get',
      path: `${BASE}/:id/members`,
      access: 'user:manage',
      summary: "A group's users, by user id (?limit=, ?cursor=)",
      responses: { 200: z.array(groupUserReply) },
      params: groupParams,
      query: listGroupsQuery,
      handler: async ({ req, params, query }) =>
        pageReply(req, await groups.users(params.id, { limit: query.limit, afterId: query.cursor }), toGroupUserJson),
    }),
    defineRoute({
      method: 'post',
      path: `${BASE}/:id/members`,
      access: 'user:manage',
      summary: 'Put a user in the group by username; 409 when they already are',
      responses: { 201: withMessage(groupUserReply) },
      errors: ['CONFLICT'],
      params: groupParams,
      body: addGroupUserBody,
      handler: async ({ actor, params, body, reply }) => {
        const member = await groups.addUser(actor, params.id, body.username);
        return reply(201, { message: 'User added to the group', ...toGroupUserJson(member) });
      },
    }),
    defineRoute({
      method: 'delete',
      path: `${BASE}/:id/members/:userId`,
      access: 'user:manage',
      summary: 'Take a user out of the group: it stops counting for them from their next request',
      responses: { 200: messageOnly },
      params: groupUserParams,
      handler: async ({ actor, params, reply }) => {
        await groups.removeUser(actor, params.id, params.userId);
        return reply(200, { message: 'User removed from the group' });
      },
    }),
  ];
}
