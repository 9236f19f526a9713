import { z } from 'zod';

import { id, timestamp, userRef } from '../../http/response-schemas';
import { idParam } from '../../shared/ids';
import { ROLES, type RoleName } from '../../shared/permissions';
import { passwordField } from './auth.schemas';

const email = z.email('Enter a valid email address.').max(254);

export const forgotBody = z.strictObject({ email });

export const resetBody = z.strictObject({
  token: z.string({ error: 'This field is required.' }).min(1, 'This field is required.').max(200),
  password: passwordField,
});

export const settingsReply = z.strictObject({
  registration: z.enum(['open', 'closed', 'invite']),
  passwordReset: z.boolean().meta({ description: 'Whether mail is set up: POST /api/auth/password/forgot works' }),
  defaultGalleryVisibility: z.enum(['shared', 'private']),
  sso: z.strictObject({ label: z.string() }).nullable().meta({
    description: 'Single sign-on, when set up: the web app shows "Sign in with <label>" (GET /api/auth/oidc/login)',
  }),
});

const roleName = z.enum(ROLES.map((role) => role.name) as [RoleName, ...RoleName[]]);

export const createInviteBody = z.strictObject({
  email: email.optional().meta({ description: 'Only this address may register with the invite' }),
  role: roleName.optional().meta({ description: "The new account's role; unset: the one the person picks" }),
  expiresInDays: z.number().int().min(1).max(90).optional(),
});

export const inviteParams = z.object({ id: idParam });

export const inviteReply = z.strictObject({
  id,
  email: z.string().nullable(),
  role: z.string().nullable(),
  createdAt: timestamp,
  expiresAt: timestamp,
  usedAt: timestamp.nullable(),
  usedBy: userRef.nullable(),
  state: z.enum(['pending', 'used', 'expired']),
});

export const createdInviteReply = inviteReply.extend({
  message: z.string(),
  token: z.string().meta({ description: 'Shown once: stored only hashed' }),
  url: z.string().nullable().meta({ description: 'The register link (from PUBLIC_URL; null when it is unset)' }),
});

type Invite = {
  id: number;
  email: string | null;
  role: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  usedBy: { id: number; username: string } | null;
  state: 'pending' | 'used' | 'expired';
};

export function toInviteJson(invite: Invite): z.infer<typeof inviteReply> {
  return {
    id: invite.id,
    email: invite.email,
    role: invite.role,
    createdAt: invite.createdAt.toISOString(),
    expiresAt: invite.expiresAt.toISOString(),
    usedAt: invite.usedAt?.toISOString() ?? null,
    usedBy: invite.usedBy,
    state: invite.state,
  };
}
