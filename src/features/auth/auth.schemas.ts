import { z } from 'zod';

import { id, timestamp } from '../../http/response-schemas';
import { ROLES } from '../../shared/permissions';
import { meReply } from '../users';
import { isCommonPassword } from './common-passwords';

/** The characters a username may hold: letters, digits and @ . + - _ (as the original's). */
const USERNAME_CHARACTERS = String.raw`\w.@+-`;
export const USERNAME_RULE = new RegExp(`^[${USERNAME_CHARACTERS}]+$`);
/** Every character a username may not hold (to make one from other text). */
export const NOT_IN_USERNAMES = new RegExp(`[^${USERNAME_CHARACTERS}]`, 'g');

const username = z
  .string({ error: 'This field is required.' })
  .trim()
  .min(1, 'This field is required.')
  .max(150, 'At most 150 characters.')
  .regex(USERNAME_RULE, 'Letters, digits and @ . + - _ only.');

export const passwordField = z
  .string({ error: 'This field is required.' })
  .min(8, 'At least 8 characters.')
  .refine((value) => Buffer.byteLength(value, 'utf8') <= 72, 'At most 72 bytes.')
  .refine((value) => !isCommonPassword(value), 'This password is too common; choose another.');

/** Accepts a role by name ("company_user") or by label ("Company User"), as the original's forms sent it. */
const roleInput = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const wanted = value.toLowerCase();
    const role = ROLES.find((r) => r.name === wanted || r.label.toLowerCase() === wanted);
    if (!role) {
      ctx.addIssue({ code: 'custom', message: `Unknown role; one of: ${ROLES.map((r) => r.name).join(', ')}` });
      return z.NEVER;
    }
    return role.name;
  });

export const registerBody = z
  .object({
    username,
    email: z.email('Enter a valid email address.').max(254),
    password: passwordField,
    password2: z.string({ error: 'This field is required.' }).max(1024),
    role: roleInput.optional(),
    invite: z
      .string()
      .max(200)
      .optional()
      .meta({ description: "The token of an admin's invite (needed when REGISTRATION=invite)" }),
  })
  .refine((body) => body.password === body.password2, { message: 'Password does not match' })
  .refine((body) => body.password.toLowerCase() !== body.username.toLowerCase(), {
    message: 'The password must not be the same as the username.',
    path: ['password'],
  });

/** A one-time code: six digits of an authenticator app, or a recovery code. */
export const otpField = z
  .string({ error: 'Send the code as a string.' })
  .trim()
  .max(64)
  .meta({ description: 'A code of the authenticator app (six digits) or a recovery code', example: '123456' });

export const loginBody = z.object({
  username: z.string({ error: 'This field is required.' }).min(1, 'This field is required.').max(150),
  password: z.string({ error: 'This field is required.' }).min(1, 'This field is required.').max(1024),
  otp: otpField
    .optional()
    .meta({ description: 'With two-factor sign-in on: a code of the authenticator app or a recovery code' }),
});

/** `POST token/` takes credentials (to get a token) or a token (to check it). */
export const tokenBody = z.union([loginBody, z.object({ token: z.string().min(1).max(200) })], {
  error: 'Send {"username", "password"} to get a token, or {"token"} to check one.',
});

const roleOrNull = z.string().nullable();

export const registerReply = z.strictObject({
  message: z.string(),
  id,
  username: z.string(),
  email: z.string(),
  role: roleOrNull,
});

export const loginReply = z.strictObject({
  message: z.string(),
  token: z.string(),
  expiresAt: timestamp,
  user: z.strictObject({ id, username: z.string(), email: z.string(), role: roleOrNull }),
});

export const sessionReply = z.strictObject({
  message: z.string(),
  user: meReply.meta({ description: 'The same as GET /api/auth/me' }),
});

export const tokenReply = z.union([
  z.strictObject({ message: z.string(), token: z.string(), expiresAt: timestamp }),
  z.strictObject({ message: z.string(), username: z.string() }),
]);
