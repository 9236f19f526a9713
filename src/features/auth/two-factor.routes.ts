import { z } from 'zod';

import { messageOnly, timestamp } from '../../http/response-schemas';
import { defineRoute } from '../../http/route';
import { idParam } from '../../shared/ids';
import { otpField } from './auth.schemas';
import type { AuthService } from './auth.service';

const BASE = '/api/auth/2fa';

const statusReply = z.strictObject({
  message: z.string(),
  enabled: z.boolean(),
  enabledAt: timestamp.nullable(),
  pending: z.boolean().meta({ description: 'An enrolment was begun and not confirmed yet' }),
  recoveryCodesLeft: z.number().int(),
});

const enrolReply = z.strictObject({
  message: z.string(),
  secret: z.string().meta({ description: 'Base32, for typing into the app by hand; shown this once' }),
  uri: z.string().meta({ description: 'The otpauth:// URI that the QR code holds' }),
  qrSvg: z.string().meta({ description: 'The URI as a QR code, an SVG image' }),
});

const codesReply = z.strictObject({
  message: z.string(),
  recoveryCodes: z.array(z.string()).meta({ description: 'Ten single-use codes, shown this once' }),
});

const code = otpField.min(1, 'This field is required.');
const password = z.string({ error: 'This field is required.' }).min(1, 'This field is required.').max(1024);
const codeBody = z.strictObject({ otp: code });
const passwordBody = z.strictObject({ password });
const disableBody = z.strictObject({ password, otp: code });

type TwoFactor = AuthService['twoFactor'];

export function twoFactorRoutes({ auth }: { auth: AuthService }) {
  return [...enrolment(auth.twoFactor), ...changes(auth.twoFactor)];
}

/** Where it stands, and turning it on. */
function enrolment(twoFactor: TwoFactor) {
  return [
    defineRoute({
      method: 'get',
      path: BASE,
      access: 'authenticated',
      summary: 'Whether two-factor sign-in is on for you, and how many recovery codes are left',
      responses: { 200: statusReply },
      handler: async ({ actor, reply }) => {
        const status = await twoFactor.status(actor);
        const on = status.enabled ? 'on' : 'off';
        return reply(200, {
          message: `Two-factor sign-in is ${on}`,
          ...status,
          enabledAt: status.enabledAt?.toISOString() ?? null,
        });
      },
    }),
    defineRoute({
      method: 'post',
      path: `${BASE}/enrol`,
      access: 'authenticated',
      summary:
        'Begin an enrolment (needs your password): a new secret, its otpauth:// URI and QR code (not in force until confirmed)',
      responses: { 200: enrolReply },
      errors: ['CONFLICT'],
      body: passwordBody,
      handler: async ({ actor, body, reply }) => {
        const made = await twoFactor.begin(actor, body.password);
        const headers = { 'Cache-Control': 'no-store' };
        return reply(200, { message: 'Scan the code, then confirm with the code the app shows', ...made }, headers);
      },
    }),
    defineRoute({
      method: 'post',
      path: `${BASE}/confirm`,
      access: 'authenticated',
      summary: 'Confirm the enrolment with a code of the app: two-factor sign-in is on, ten recovery codes shown once',
      responses: { 200: codesReply },
      errors: ['CONFLICT', 'OTP_INVALID'],
      body: codeBody,
      handler: async ({ actor, body, reply }) => {
        const recoveryCodes = await twoFactor.confirm(actor, body.otp);
        const headers = { 'Cache-Control': 'no-store' };
        return reply(200, { message: 'Two-factor sign-in is on', recoveryCodes }, headers);
      },
    }),
  ];
}

/** New recovery codes, turning it off, and an admin's reset. */
function changes(twoFactor: TwoFactor) {
  return [
    defineRoute({
      method: 'post',
      path: `${BASE}/recovery-codes`,
      access: 'authenticated',
      summary: 'New recovery codes for a code (the old ones stop working); shown once',
      responses: { 200: codesReply },
      errors: ['CONFLICT', 'OTP_INVALID'],
      body: codeBody,
      handler: async ({ actor, body, reply }) => {
        const recoveryCodes = await twoFactor.regenerate(actor, body.otp);
        const headers = { 'Cache-Control': 'no-store' };
        return reply(200, { message: 'New recovery codes made; the old ones no longer work', recoveryCodes }, headers);
      },
    }),
    defineRoute({
      method: 'post',
      path: `${BASE}/disable`,
      access: 'authenticated',
      summary: 'Turn two-factor sign-in off: needs your password and a code (or a recovery code)',
      responses: { 200: messageOnly },
      errors: ['CONFLICT', 'OTP_INVALID'],
      body: disableBody,
      handler: async ({ actor, body, reply }) => {
        await twoFactor.disable(actor, body.password, body.otp);
        return reply(200, { message: 'Two-factor sign-in is off' });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/admin/users/:id/2fa',
      access: 'user:manage',
      summary:
        "Turn a user's two-factor sign-in off (a lost phone or device): their secret, recovery codes and passkeys go",
      responses: {
        200: z.strictObject({ message: z.string(), wasOn: z.boolean(), passkeysRemoved: z.number().int() }),
      },
      params: z.object({ id: idParam }),
      handler: async ({ actor, params, reply }) => {
        const { wasOn, passkeysRemoved } = await twoFactor.reset(actor, params.id);
        return reply(200, { message: 'Two-factor sign-in reset', wasOn, passkeysRemoved });
      },
    }),
  ];
}
