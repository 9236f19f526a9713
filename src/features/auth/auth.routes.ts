import type { Request } from 'express';

import { messageOnly } from '../../http/response-schemas';
import { defineRoute } from '../../http/route';
import type { Actor } from '../../shared/actor';
import { AppError } from '../../shared/errors';
import { meReply, toUserJson } from '../users';
import {
  loginBody,
  loginReply,
  registerBody,
  registerReply,
  sessionReply,
  tokenBody,
  tokenReply,
} from './auth.schemas';
import type { AuthService } from './auth.service';
import type { Authenticator } from './passport';
import { checkOrigin, clearedSessionCookie, sessionCookie, usesSessionCookie } from './session-cookie';

/** What `GET /api/auth/me` shows: everything was read with the token, no second query. */
export function meJson(actor: Actor) {
  const user = {
    ...actor.account,
    id: actor.id,
    username: actor.username,
    email: actor.email,
    role: actor.role ? { name: actor.role } : null,
  };
  return { ...toUserJson(user), permissions: [...actor.permissions] };
}

/** The end of a browser's session: its cookie removed, its cache emptied. */
const signedOut = (req: Request, auth: AuthService) => ({
  'Set-Cookie': clearedSessionCookie(req, auth.publicUrl),
  'Clear-Site-Data': '"cache"',
});

export function authRoutes({ auth, authenticator }: { auth: AuthService; authenticator: Authenticator }) {
  return [
    register(auth),
    logIn(authenticator),
    getOrCheckToken(auth, authenticator),
    logOut(auth),
    startSession(auth, authenticator),
    endSession(auth),
    showMe(),
  ];
}

function register(auth: AuthService) {
  return defineRoute({
    method: 'post',
    path: '/api/auth/register',
    access: 'public',
    summary: 'Create an account (role company_user or subscriber; REGISTRATION=invite: with an invite)',
    responses: { 201: registerReply },
    errors: ['CONFLICT', 'FORBIDDEN', 'TOO_MANY_REQUESTS', 'LINK_INVALID'],
    body: registerBody,
    handler: async ({ address, body, reply }) => {
      const user = await auth.register(body, address);
      return reply(201, {
        message: 'Account has been created',
        id: user.id,
        username: user.username,
        email: user.email,
        role: user.role?.name ?? null,
      });
    },
  });
}

function logIn(authenticator: Authenticator) {
  return defineRoute({
    method: 'post',
    path: '/api/auth/login',
    access: 'public',
    summary: 'Log in with username and password (and otp with two-factor sign-in); returns a new token',
    responses: { 200: loginReply },
    errors: ['INVALID_CREDENTIALS', 'OTP_REQUIRED', 'OTP_INVALID', 'TOO_MANY_REQUESTS', 'PASSWORD_SIGN_IN_OFF'],
    body: loginBody,
    handler: async ({ req, reply }) => {
      const { user, token, expiresAt } = await authenticator.signIn(req);
      return reply(200, {
        message: 'Login successful',
        token,
        expiresAt: expiresAt.toISOString(),
        user: { id: user.id, username: user.username, email: user.email, role: user.role },
      });
    },
  });
}

function getOrCheckToken(auth: AuthService, authenticator: Authenticator) {
  return defineRoute({
    method: 'post',
    path: '/api/auth/token',
    access: 'public',
    summary: 'Get a token for username and password, or check a token',
    responses: { 200: tokenReply },
    errors: [
      'INVALID_CREDENTIALS',
      'INVALID_TOKEN',
      'OTP_REQUIRED',
      'OTP_INVALID',
      'TOO_MANY_REQUESTS',
      'PASSWORD_SIGN_IN_OFF',
    ],
    body: tokenBody,
    handler: async ({ req, address, body, reply }) => {
      if ('token' in body) {
        const actor = await auth.resolveToken(body.token, address);
        if (!actor) throw new AppError('INVALID_TOKEN');
        return reply(200, { message: 'Login successful', username: actor.username });
      }
      const { token, expiresAt } = await authenticator.signIn(req);
      return reply(200, { message: 'Token created', token, expiresAt: expiresAt.toISOString() });
    },
  });
}

function logOut(auth: AuthService) {
  return defineRoute({
    method: 'post',
    path: '/api/auth/logout',
    access: 'authenticated',
    summary: 'Revoke the token used for this request',
    readOnlyTokenMayCall: true,
    responses: { 200: messageOnly },
    handler: async ({ req, actor, reply }) => {
      await auth.logout(actor);
      // A browser's sign-out also empties its cache: the image files it kept (immutable, private) go too.
      const headers = usesSessionCookie(req) ? signedOut(req, auth) : undefined;
      return reply(200, { message: 'Logout successful' }, headers);
    },
  });
}

function startSession(auth: AuthService, authenticator: Authenticator) {
  return defineRoute({
    method: 'post',
    path: '/api/auth/session',
    access: 'public',
    summary:
      'Sign the browser in: username and password (and otp with two-factor sign-in); the session is an HttpOnly cookie (gallery_session), not a token in the reply',
    responses: { 200: sessionReply },
    errors: [
      'INVALID_CREDENTIALS',
      'OTP_REQUIRED',
      'OTP_INVALID',
      'TOO_MANY_REQUESTS',
      'CSRF_REJECTED',
      'PASSWORD_SIGN_IN_OFF',
    ],
    body: loginBody,
    handler: async ({ req, reply }) => {
      // A sign-in posted from another site's page (login CSRF) is refused by its Origin.
      checkOrigin(req, auth.publicUrl);
      const { token, expiresAt, actor } = await authenticator.startSession(req);
      const headers = {
        'Set-Cookie': sessionCookie(req, auth.publicUrl, token, (expiresAt.getTime() - Date.now()) / 1000),
        'Cache-Control': 'no-store',
      };
      return reply(200, { message: 'Login successful', user: meJson(actor) }, headers);
    },
  });
}

function endSession(auth: AuthService) {
  return defineRoute({
    method: 'delete',
    path: '/api/auth/session',
    access: 'authenticated',
    summary: "Sign the browser out: ends the cookie's session and removes the cookie",
    readOnlyTokenMayCall: true,
    responses: { 200: messageOnly },
    handler: async ({ req, actor, reply }) => {
      await auth.logout(actor);
      // The image files the browser kept (immutable, private) are dropped with the session.
      return reply(200, { message: 'Logout successful' }, signedOut(req, auth));
    },
  });
}

function showMe() {
  return defineRoute({
    method: 'get',
    path: '/api/auth/me',
    access: 'authenticated',
    summary: 'The signed-in user, role and permissions',
    responses: { 200: meReply },
    handler: ({ actor, reply }) => reply(200, meJson(actor)),
  });
}
