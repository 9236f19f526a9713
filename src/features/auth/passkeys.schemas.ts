import { z } from 'zod';

import { timestamp } from '../../http/response-schemas';

/** base64url text, as WebAuthn's JSON encodes bytes. */
const b64u = (max: number) =>
  z
    .string({ error: 'This field is required.' })
    .min(1, 'This field is required.')
    .max(max, `At most ${max} characters.`)
    .regex(/^[A-Za-z0-9_-]+$/, 'Must be base64url text.');

export const passkeyName = z
  .string({ error: 'This field is required.' })
  .trim()
  .min(1, 'This field is required.')
  .max(64, 'At most 64 characters.')
  .refine((name) => ![...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), {
    message: 'No control characters.',
  });

const transports = z.array(z.string().max(32)).max(10);

/** What the browser's `navigator.credentials.create()` answers, as JSON (@simplewebauthn/browser's form). */
const registrationResponse = z
  .looseObject({
    id: b64u(1024),
    rawId: b64u(1024),
    type: z.literal('public-key'),
    response: z.looseObject({
      clientDataJSON: b64u(4096),
      attestationObject: b64u(65536),
      transports: transports.optional(),
    }),
    clientExtensionResults: z.looseObject({}),
    authenticatorAttachment: z.string().max(32).optional(),
  })
  .meta({ description: "The browser's answer to the options (@simplewebauthn/browser's startRegistration())" });

/** What the browser's `navigator.credentials.get()` answers, as JSON. */
const authenticationResponse = z
  .looseObject({
    id: b64u(1024),
    rawId: b64u(1024),
    type: z.literal('public-key'),
    response: z.looseObject({
      clientDataJSON: b64u(4096),
      authenticatorData: b64u(4096),
      signature: b64u(1024),
      userHandle: z
        .string()
        .max(1024)
        .regex(/^[A-Za-z0-9_-]*$/, 'Must be base64url text.')
        .optional(),
    }),
    clientExtensionResults: z.looseObject({}),
    authenticatorAttachment: z.string().max(32).optional(),
  })
  .meta({ description: "The browser's answer to the options (@simplewebauthn/browser's startAuthentication())" });

export const registerBody = z.strictObject({ name: passkeyName, response: registrationResponse });
export const signInBody = z.strictObject({ response: authenticationResponse });

const passkey = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  transports: z.array(z.string()).meta({ description: 'How the browser reaches it: internal, hybrid, usb, nfc, ble' }),
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable(),
});

export const passkeysReply = z.strictObject({ passkeys: z.array(passkey), limit: z.number().int() });
export const passkeyReply = z.strictObject({ message: z.string(), passkey });
export const optionsReply = z.strictObject({
  options: z
    .looseObject({ challenge: z.string() })
    .meta({ description: "WebAuthn's options as JSON, for @simplewebauthn/browser (or the browser's own parsing)" }),
});

type Row = { id: number; name: string; transports: string; createdAt: Date; lastUsedAt: Date | null };

export function passkeyJson(row: Row) {
  return {
    id: row.id,
    name: row.name,
    transports: row.transports ? row.transports.split(',') : [],
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}
