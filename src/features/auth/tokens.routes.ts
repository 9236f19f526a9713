import { z } from 'zod';

import { id, messageOnly, timestamp } from '../../http/response-schemas';
import { defineRoute } from '../../http/route';
import { nameField } from '../../http/text-fields';
import type { Actor } from '../../shared/actor';
import { idParam } from '../../shared/ids';
import { otpField, passwordField } from './auth.schemas';
import type { AuthService } from './auth.service';

const tokenInfo = z.strictObject({
  id,
  kind: z.enum(['session', 'browser', 'personal']),
  scope: z.enum(['read', 'read-write']),
  name: z.string().nullable(),
  prefix: z.string(),
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable(),
  expiresAt: timestamp,
  current: z.boolean(),
});

type TokenRow = {
  id: number;
  kind: string;
  scope: string;
  name: string | null;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date;
};

function toTokenJson(row: TokenRow, actor: Actor): z.infer<typeof tokenInfo> {
  return {
    id: row.id,
    kind: row.kind === 'personal' || row.kind === 'browser' ? row.kind : 'session',
    scope: row.scope === 'read' ? 'read' : 'read-write',
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt ? row.lastUsedAt.toISOString() : null,
    expiresAt: row.expiresAt.toISOString(),
    current: row.id === actor.tokenId,
  };
}

const createTokenBody = z.strictObject({
  name: nameField(100),
  scope: z.enum(['read', 'read-write']).default('read-write'),
  expiresInDays: z.number().int().min(1).max(365).optional(),
});

const changePasswordBody = z
  .strictObject({
    currentPassword: z.string({ error: 'This field is required.' }).min(1).max(1024),
    newPassword: passwordField,
    newPassword2: z.string({ error: 'This field is required.' }).max(1024),
    otp: otpField.optional(),
  })
  .refine((body) => body.newPassword === body.newPassword2, { message: 'Password does not match' });

const BASE = '/api/auth/tokens';

export function tokenRoutes({ auth }: { auth: AuthService }) {
  return [listTokens(auth), createToken(auth), revokeAllTokens(auth), revokeToken(auth), changePassword(auth)];
}

function listTokens(auth: AuthService) {
  return defineRoute({
    method: 'get',
    path: BASE,
    access: 'authenticated',
    summary: 'Your working tokens (never the tokens themselves): name, scope, prefix, created, last used, expiry',
    responses: { 200: z.array(tokenInfo) },
    handler: async ({ actor, reply }) => {
      const tokens = await auth.listTokens(actor);
      const json = tokens.map((row) => toTokenJson(row, actor));
      return reply(200, json);
    },
  });
}

function createToken(auth: AuthService) {
  return defineRoute({
    method: 'post',
    path: BASE,
    access: 'authenticated',
    summary: 'Create a personal access token for a script; the token is shown this once',
    responses: { 201: tokenInfo.extend({ message: z.string(), token: z.string() }) },
    body: createTokenBody,
    handler: async ({ actor, body, reply }) => {
      const { token, info } = await auth.createPersonalToken(actor, body);
      return reply(201, { message: 'Token created', token, ...toTokenJson(info, actor) });
    },
  });
}

function revokeAllTokens(auth: AuthService) {
  return defineRoute({
    method: 'delete',
    path: BASE,
    access: 'authenticated',
    summary: 'Revoke all your tokens, this one included',
    responses: { 200: messageOnly },
    handler: async ({ actor, reply }) => {
      await auth.revokeAllTokens(actor);
      return reply(200, { message: 'All tokens revoked' });
    },
  });
}

function revokeToken(auth: AuthService) {
  return defineRoute({
    method: 'delete',
    path: `${BASE}/:id`,
    access: 'authenticated',
    summary: 'Revoke one of your tokens',
    responses: { 200: messageOnly },
    params: z.object({ id: idParam }),
    handler: async ({ actor, params, reply }) => {
      await auth.revokeToken(actor, params.id);
      return reply(200, { message: 'Token revoked' });
    },
  });
}

function changePassword(auth: AuthService) {
  return defineRoute({
    method: 'post',
    path: '/api/auth/password',
    access: 'authenticated',
    summary:
      'Change your password (needs the current one, and with two-factor sign-in a code in otp); every other token is revoked',
    responses: { 200: messageOnly },
    errors: ['OTP_REQUIRED', 'OTP_INVALID'],
    body: changePasswordBody,
    handler: async ({ actor, body, reply }) => {
      await auth.changePassword(actor, body.currentPassword, body.newPassword, body.otp);
      return reply(200, { message: 'Password changed; your other tokens were revoked' });
    },
  });
}
