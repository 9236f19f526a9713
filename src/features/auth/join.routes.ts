import { z } from 'zod';

import { messageOnly } from '../../http/response-schemas';
import { defineRoute } from '../../http/route';
import type { Invites } from './invites';
import {
  createdInviteReply,
  createInviteBody,
  forgotBody,
  inviteParams,
  inviteReply,
  resetBody,
  settingsReply,
  toInviteJson,
} from './join.schemas';
import type { PasswordReset } from './password-reset';

const INVITES = '/api/admin/invites';

export type JoinRouteDeps = {
  invites: Invites;
  passwordReset: PasswordReset;
  publicUrl?: string;
  defaultGalleryVisibility: 'shared' | 'private';
  /** Single sign-on, when set up: the label of its button. */
  sso: { label: string } | null;
};

/** Who may join and how a forgotten password comes back: the public settings, password reset, invites. */
export function joinRoutes(deps: JoinRouteDeps) {
  return [settings(deps), forgot(deps), reset(deps), createInvite(deps), listInvites(deps), revokeInvite(deps)];
}

function settings({ invites, passwordReset, defaultGalleryVisibility, sso }: JoinRouteDeps) {
  return defineRoute({
    method: 'get',
    path: '/api/auth/settings',
    access: 'public',
    summary:
      'What the sign-in and register screens need: the registration mode, whether password reset works, single sign-on',
    responses: { 200: settingsReply },
    handler: ({ reply }) =>
      reply(200, { registration: invites.mode, passwordReset: passwordReset.enabled, defaultGalleryVisibility, sso }),
  });
}

function forgot({ passwordReset }: JoinRouteDeps) {
  return defineRoute({
    method: 'post',
    path: '/api/auth/password/forgot',
    access: 'public',
    summary:
      'Ask for a password reset link by email: the same reply whether or not an account has the address (501 without a mail server)',
    responses: { 200: messageOnly },
    errors: ['NOT_CONFIGURED'],
    body: forgotBody,
    handler: async ({ address, body, reply }) => {
      await passwordReset.request(body.email, address);
      return reply(200, {
        message: 'If an account has this address, a link to reset its password is on its way. It works for 30 minutes.',
      });
    },
  });
}

function reset({ passwordReset }: JoinRouteDeps) {
  return defineRoute({
    method: 'post',
    path: '/api/auth/password/reset',
    access: 'public',
    summary: "Set a new password with a reset link's token (once, within 30 minutes); ends every session and token",
    responses: { 200: messageOnly },
    errors: ['LINK_INVALID'],
    body: resetBody,
    handler: async ({ address, body, reply }) => {
      await passwordReset.reset(body.token, body.password, address);
      return reply(200, { message: 'Password changed; every session and token of the account was ended. Sign in.' });
    },
  });
}

function createInvite({ invites, publicUrl }: JoinRouteDeps) {
  return defineRoute({
    method: 'post',
    path: INVITES,
    access: 'user:manage',
    summary: 'Make an invite to register (single use, expiring; maybe for one email); its token is shown once',
    responses: { 201: createdInviteReply },
    body: createInviteBody,
    handler: async ({ actor, body, reply }) => {
      const { token, invite } = await invites.create(actor, body);
      const url = publicUrl ? `${publicUrl}/register#invite=${token}` : null;
      return reply(201, { message: 'Invite created', ...toInviteJson(invite), token, url });
    },
  });
}

function listInvites({ invites }: JoinRouteDeps) {
  return defineRoute({
    method: 'get',
    path: INVITES,
    access: 'user:manage',
    summary: 'The newest 200 invites, pending, used and expired',
    responses: { 200: z.array(inviteReply) },
    handler: async ({ reply }) => reply(200, (await invites.list()).map(toInviteJson)),
  });
}

function revokeInvite({ invites }: JoinRouteDeps) {
  return defineRoute({
    method: 'delete',
    path: `${INVITES}/:id`,
    access: 'user:manage',
    summary: 'Revoke an unused invite (a used one stays as a record: 409)',
    responses: { 200: messageOnly },
    errors: ['CONFLICT'],
    params: inviteParams,
    handler: async ({ actor, params, reply }) => {
      await invites.revoke(actor, params.id);
      return reply(200, { message: 'Invite revoked' });
    },
  });
}
