import { z } from 'zod';

import { messageOnly, withMessage } from '../../http/response-schemas';
import { defineRoute } from '../../http/route';
import { toGroupMemberJson, toMemberJson } from './galleries.mapper';
import { galleryJsonFor, type GalleryRouteDeps } from './galleries.routes';
import {
  addMemberBody,
  changeMemberBody,
  galleryParams,
  galleryReply,
  groupMemberParams,
  groupMemberReply,
  memberParams,
  memberReply,
  transferBody,
} from './galleries.schemas';
import type { GalleriesService } from './galleries.service';

const MEMBERS = '/api/gallery/galleries/:id/members';

/** A member's reply, with a note when their role gives them less than the membership says. */
const memberWithNote = withMessage(memberReply.extend({ note: z.string().optional() }));
/** A group's reply, with a note when some of its users' roles give them less than it says. */
const groupWithNote = withMessage(groupMemberReply.extend({ note: z.string().optional() }));

const noteOf = ({ note }: { note?: string }) => (note ? { note } : {});

/** Who may see a private gallery besides its owner and admins, and who may change its images. */
export function memberRoutes(deps: GalleryRouteDeps) {
  const { galleries } = deps;
  return [
    listMembers(galleries),
    addMember(galleries),
    changeMember(galleries),
    removeMember(galleries),
    changeGroupMember(galleries),
    removeGroupMember(galleries),
    transferGallery(deps),
  ];
}

function listMembers(galleries: GalleriesService) {
  return defineRoute({
    method: 'get',
    path: MEMBERS,
    access: 'gallery:read',
    summary: "A gallery's members, users then groups (its owner, its members and admins)",
    responses: { 200: z.array(z.union([memberReply, groupMemberReply])) },
    params: galleryParams,
    handler: async ({ actor, params, reply }) => {
      const { users, groups } = await galleries.members(actor, params.id);
      return reply(200, [...users.map(toMemberJson), ...groups.map(toGroupMemberJson)]);
    },
  });
}

function addMember(galleries: GalleriesService) {
  return defineRoute({
    method: 'post',
    path: MEMBERS,
    access: 'gallery:update',
    summary: 'Add a member, a user by username or a group by name, as viewer (default) or editor (owner or admin)',
    responses: { 201: z.union([memberWithNote, groupWithNote]) },
    errors: ['CONFLICT'],
    params: galleryParams,
    body: addMemberBody,
    handler: async ({ actor, params, body, reply }) => {
      if (body.group !== undefined) {
        const group = await galleries.groups.add(actor, params.id, { group: body.group, role: body.role });
        return reply(201, { message: 'Group added', ...toGroupMemberJson(group), ...noteOf(group) });
      }
      const input = { username: body.username ?? '', role: body.role };
      const { member, note } = await galleries.addMember(actor, params.id, input);
      return reply(201, { message: 'Member added', ...toMemberJson(member), ...(note ? { note } : {}) });
    },
  });
}

function changeMember(galleries: GalleriesService) {
  return defineRoute({
    method: 'patch',
    path: `${MEMBERS}/:userId`,
    access: 'gallery:update',
    summary: "Change a member's role (owner or admin)",
    responses: { 200: memberWithNote },
    params: memberParams,
    body: changeMemberBody,
    handler: async ({ actor, params, body, reply }) => {
      const { member, note } = await galleries.changeMember(actor, params.id, params.userId, body.role);
      return reply(200, { message: 'Member updated', ...toMemberJson(member), ...(note ? { note } : {}) });
    },
  });
}

function removeMember(galleries: GalleriesService) {
  return defineRoute({
    method: 'delete',
    path: `${MEMBERS}/:userId`,
    access: 'gallery:read',
    summary: 'Remove a member (owner or admin), or leave a gallery (the member themselves)',
    responses: { 200: messageOnly },
    params: memberParams,
    handler: async ({ actor, params, reply }) => {
      await galleries.removeMember(actor, params.id, params.userId);
      return reply(200, { message: params.userId === actor.id ? 'You left the gallery' : 'Member removed' });
    },
  });
}

function changeGroupMember(galleries: GalleriesService) {
  return defineRoute({
    method: 'patch',
    path: `${MEMBERS}/groups/:groupId`,
    access: 'gallery:update',
    summary: "Change a group's role in the gallery (owner or admin)",
    responses: { 200: groupWithNote },
    params: groupMemberParams,
    body: changeMemberBody,
    handler: async ({ actor, params, body, reply }) => {
      const group = await galleries.groups.change(actor, params.id, params.groupId, body.role);
      return reply(200, { message: 'Group updated', ...toGroupMemberJson(group), ...noteOf(group) });
    },
  });
}

function removeGroupMember(galleries: GalleriesService) {
  return defineRoute({
    method: 'delete',
    path: `${MEMBERS}/groups/:groupId`,
    access: 'gallery:update',
    summary: 'Remove a group from the members (owner or admin)',
    responses: { 200: messageOnly },
    params: groupMemberParams,
    handler: async ({ actor, params, reply }) => {
      await galleries.groups.remove(actor, params.id, params.groupId);
      return reply(200, { message: 'Group removed' });
    },
  });
}

function transferGallery(deps: GalleryRouteDeps) {
  return defineRoute({
    method: 'put',
    path: '/api/gallery/galleries/:id/owner',
    access: 'user:manage',
    summary: 'Give a gallery to another user who may own galleries (admin)',
    responses: { 200: withMessage(galleryReply) },
    params: galleryParams,
    body: transferBody,
    handler: async ({ req, actor, params, body, reply }) => {
      const gallery = await deps.galleries.transfer(actor, params.id, body.username);
      return reply(200, { message: 'Gallery transferred', ...galleryJsonFor(deps, req)(gallery) });
    },
  });
}
