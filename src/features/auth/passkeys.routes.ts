import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Request } from 'express';
import { z } from 'zod';

import { messageOnly } from '../../http/response-schemas';
import { defineRoute } from '../../http/route';
import { idParam } from '../../shared/ids';
import { meJson } from './auth.routes';
import { loginReply, sessionReply } from './auth.schemas';
import type { RelyingParty } from './passkey-challenge';
import { PASSKEY_LIMIT, type Passkeys } from './passkeys';
import {
  optionsReply,
  passkeyJson,
  passkeyName,
  passkeyReply,
  passkeysReply,
  registerBody,
  signInBody,
} from './passkeys.schemas';
import { checkOrigin, ownOrigin, sessionCookie } from './session-cookie';

const BASE = '/api/auth/passkeys';
const password = z.string({ error: 'This field is required.' }).min(1, 'This field is required.').max(1024);
const noStore = { 'Cache-Control': 'no-store' };

export type PasskeyRouteDeps = { passkeys: Passkeys; publicUrl?: string };

/** The RP ID is PUBLIC_URL's host name (else the request's); answers must come from the server's own origin. */
export function relyingParty(req: Request, publicUrl: string | undefined): RelyingParty {
  return { rpID: publicUrl ? new URL(publicUrl).hostname : req.hostname, origin: ownOrigin(req, publicUrl) };
}

/** Passkeys: your own (add, list, rename, remove), and signing in with one (docs/auth.md#passkeys). */
export function passkeyRoutes(deps: PasskeyRouteDeps) {
  return [...own(deps), ...changes(deps), ...signIn(deps)];
}

function own({ passkeys, publicUrl }: PasskeyRouteDeps) {
  return [
    defineRoute({
      method: 'get',
      path: BASE,
      access: 'authenticated',
      summary: `Your passkeys (at most ${PASSKEY_LIMIT})`,
      responses: { 200: passkeysReply },
      handler: async ({ actor, reply }) => {
        const list = await passkeys.list(actor);
        return reply(200, { passkeys: list.map(passkeyJson), limit: PASSKEY_LIMIT });
      },
    }),
    defineRoute({
      method: 'post',
      path: `${BASE}/register/options`,
      access: 'authenticated',
      summary:
        "Begin adding a passkey (needs your password): options for the browser's navigator.credentials.create(), good for five minutes",
      responses: { 200: optionsReply },
      errors: ['CONFLICT', 'TOO_MANY_REQUESTS'],
      body: z.strictObject({ password }),
      handler: async ({ req, actor, body, reply }) => {
        const options = await passkeys.registrationOptions(actor, body.password, relyingParty(req, publicUrl));
        return reply(200, { options: { ...options } }, noStore);
      },
    }),
    defineRoute({
      method: 'post',
      path: BASE,
      access: 'authenticated',
      summary: "Add the passkey: the browser's answer to the options (its challenge is used once) and a name for it",
      responses: { 201: passkeyReply },
      errors: ['CONFLICT'],
      body: registerBody,
      handler: async ({ req, actor, body, reply }) => {
        const response = body.response as RegistrationResponseJSON;
        const made = await passkeys.register(actor, body.name, response, relyingParty(req, publicUrl));
        return reply(201, { message: 'Passkey added', passkey: passkeyJson(made) });
      },
    }),
  ];
}

function changes({ passkeys }: PasskeyRouteDeps) {
  const params = z.object({ id: idParam });
  return [
    defineRoute({
      method: 'patch',
      path: `${BASE}/:id`,
      access: 'authenticated',
      summary: 'Rename one of your passkeys',
      responses: { 200: passkeyReply },
      params,
      body: z.strictObject({ name: passkeyName }),
      handler: async ({ actor, params: { id }, body, reply }) => {
        const passkey = await passkeys.rename(actor, id, body.name);
        return reply(200, { message: 'Passkey renamed', passkey: passkeyJson(passkey) });
      },
    }),
    defineRoute({
      method: 'delete',
      path: `${BASE}/:id`,
      access: 'authenticated',
      summary: 'Remove one of your passkeys: it no longer signs you in',
      responses: { 200: messageOnly },
      params,
      handler: async ({ actor, params: { id }, reply }) => {
        await passkeys.remove(actor, id);
        return reply(200, { message: 'Passkey removed' });
      },
    }),
  ];
}

function signIn({ passkeys, publicUrl }: PasskeyRouteDeps) {
  return [
    defineRoute({
      method: 'post',
      path: `${BASE}/login/options`,
      access: 'public',
      summary:
        "Begin a sign-in with a passkey: options for the browser's navigator.credentials.get() (no username: the browser offers its passkeys), good for five minutes",
      responses: { 200: optionsReply },
      handler: async ({ req, reply }) => {
        const options = await passkeys.loginOptions(relyingParty(req, publicUrl));
        return reply(200, { options: { ...options } }, noStore);
      },
    }),
    defineRoute({
      method: 'post',
      path: `${BASE}/session`,
      access: 'public',
      summary:
        'Sign the browser in with a passkey (no one-time code: a passkey is both factors); the session is the HttpOnly cookie, as a password sign-in gives',
      responses: { 200: sessionReply },
      errors: ['PASSKEY_INVALID', 'TOO_MANY_REQUESTS', 'CSRF_REJECTED'],
      body: signInBody,
      handler: async ({ req, address, body, reply }) => {
        checkOrigin(req, publicUrl);
        const response = body.response as AuthenticationResponseJSON;
        const rp = relyingParty(req, publicUrl);
        const { token, expiresAt, actor } = await passkeys.signInWithPasskey(response, rp, address, 'browser');
        const headers = {
          'Set-Cookie': sessionCookie(req, publicUrl, token, (expiresAt.getTime() - Date.now()) / 1000),
          ...noStore,
        };
        return reply(200, { message: 'Login successful', user: meJson(actor) }, headers);
      },
    }),
    defineRoute({
      method: 'post',
      path: `${BASE}/login`,
      access: 'public',
      summary: 'Sign in with a passkey for a token (as POST /api/auth/login gives), for clients other than the web app',
      responses: { 200: loginReply },
      errors: ['PASSKEY_INVALID', 'TOO_MANY_REQUESTS'],
      body: signInBody,
      handler: async ({ req, address, body, reply }) => {
        const response = body.response as AuthenticationResponseJSON;
        const rp = relyingParty(req, publicUrl);
        const { token, expiresAt, actor } = await passkeys.signInWithPasskey(response, rp, address, 'session');
        const user = { id: actor.id, username: actor.username, email: actor.email, role: actor.role };
        return reply(200, { message: 'Login successful', token, expiresAt: expiresAt.toISOString(), user }, noStore);
      },
    }),
  ];
}
