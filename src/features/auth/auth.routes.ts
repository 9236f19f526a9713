import type { Request, Response } from 'express';

import { messageOnly } from '../../http/response-schemas';
import { defineRoute } from '../../http/route';
import type { Actor } from '../../shared/actor';
import { AppError } from '../../shared/errors';
import type { AuditLog } from '../audit';
import { meReply, toUserJson } from '../users';
import { accountKey, addressKey, type AttemptThrottle } from './attempt-throttle';
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
function meJson(actor: Actor) {
  const user = {
    ...actor.account,
    id: actor.id,
    username: actor.username,
    email: actor.email,
    role: actor.role ? { name: actor.role } : null,
  };
  return { ...toUserJson(user), permissions: [...actor.permissions] };
}

export function authRoutes({
  auth,
  authenticator,
  throttle,
  audit,
}: {
  auth: AuthService;
  authenticator: Authenticator;
  throttle: AttemptThrottle;
  audit: AuditLog;
}) {
  /**
   * Username and password through passport, throttled per account and address: the attempt is
   * counted before the password is compared, and given back when it was right (the account's count
   * is then cleared); then a new token. An attempt that ends in any other error stays counted.
   */
  async function signIn(req: Request, res: Response, username: string, kind: 'session' | 'browser' = 'session') {
    const attempt = await throttle.reserve({ secret: accountKey(username), address: addressKey(req.ip ?? 'unknown') });
    const user = await authenticator.authenticateCredentials(req, res).catch(async (error: unknown) => {
      await attempt.failed();
      if (error instanceof AppError && error.code === 'INVALID_CREDENTIALS') {
        await audit.record({
          action: 'login',
          outcome: 'failed',
          detail: `username=${username.slice(0, 150)}`,
          address: req.ip ?? null,
        });
      }
      throw error;
    });
    await attempt.succeeded({ clearSecret: true });
    return { user, ...(await auth.issueToken(user, req.ip ?? null, kind)) };
  }

  return [
    defineRoute({
      method: 'post',
      path: '/api/auth/register',
      access: 'public',
      summary: 'Create an account (role company_user or subscriber)',
      responses: { 201: registerReply },
      errors: ['CONFLICT', 'FORBIDDEN', 'TOO_MANY_REQUESTS'],
      body: registerBody,
      handler: async ({ req, res, body }) => {
        // Probing for taken usernames or emails is throttled like failed logins, per address only
        // (no account is at stake yet): a conflict is a failure, anything else gives its slot back.
        const attempt = await throttle.reserve({ address: addressKey(req.ip ?? 'unknown') });
        const user = await auth.register(body, req.ip ?? null).catch(async (error: unknown) => {
          await (error instanceof AppError && error.code === 'CONFLICT' ? attempt.failed() : attempt.succeeded());
          throw error;
        });
        await attempt.succeeded();
        res.status(201).json({
          message: 'Account has been created',
          id: user.id,
          username: user.username,
          email: user.email,
          role: user.role?.name ?? null,
        });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/login',
      access: 'public',
      summary: 'Log in with username and password; returns a new token',
      responses: { 200: loginReply },
      errors: ['INVALID_CREDENTIALS', 'TOO_MANY_REQUESTS'],
      body: loginBody,
      handler: async ({ req, res, body }) => {
        const { user, token, expiresAt } = await signIn(req, res, body.username);
        res.json({
          message: 'Login successful',
          token,
          expiresAt: expiresAt.toISOString(),
          user: { id: user.id, username: user.username, email: user.email, role: user.role },
        });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/token',
      access: 'public',
      summary: 'Get a token for username and password, or check a token',
      responses: { 200: tokenReply },
      errors: ['INVALID_CREDENTIALS', 'INVALID_TOKEN', 'TOO_MANY_REQUESTS'],
      body: tokenBody,
      handler: async ({ req, res, body }) => {
        if ('token' in body) {
          const actor = await auth.resolveToken(body.token, req.ip ?? null);
          if (!actor) throw new AppError('INVALID_TOKEN');
          res.json({ message: 'Login successful', username: actor.username });
          return;
        }
        const { token, expiresAt } = await signIn(req, res, body.username);
        res.json({ message: 'Token created', token, expiresAt: expiresAt.toISOString() });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/logout',
      access: 'authenticated',
      summary: 'Revoke the token used for this request',
      readOnlyTokenMayCall: true,
      responses: { 200: messageOnly },
      handler: async ({ req, res, actor }) => {
        await auth.logout(actor);
        // A browser's sign-out also empties its cache: the image files it kept (immutable, private) go too.
        if (usesSessionCookie(req))
          res.set({ 'Set-Cookie': clearedSessionCookie(req, auth.publicUrl), 'Clear-Site-Data': '"cache"' });
        res.json({ message: 'Logout successful' });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/session',
      access: 'public',
      summary:
        'Sign the browser in: username and password; the session is an HttpOnly cookie (gallery_session), not a token in the reply',
      responses: { 200: sessionReply },
      errors: ['INVALID_CREDENTIALS', 'TOO_MANY_REQUESTS', 'CSRF_REJECTED'],
      body: loginBody,
      handler: async ({ req, res, body }) => {
        // A sign-in posted from another site's page (login CSRF) is refused by its Origin.
        checkOrigin(req, auth.publicUrl);
        const { token, expiresAt } = await signIn(req, res, body.username, 'browser');
        const actor = await auth.resolveToken(token, req.ip ?? null);
        if (!actor) throw new AppError('INVALID_TOKEN');
        res.set({
          'Set-Cookie': sessionCookie(req, auth.publicUrl, token, (expiresAt.getTime() - Date.now()) / 1000),
          'Cache-Control': 'no-store',
        });
        res.json({ message: 'Login successful', user: meJson(actor) });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/auth/session',
      access: 'authenticated',
      summary: "Sign the browser out: ends the cookie's session and removes the cookie",
      readOnlyTokenMayCall: true,
      responses: { 200: messageOnly },
      handler: async ({ req, res, actor }) => {
        await auth.logout(actor);
        // The image files the browser kept (immutable, private) are dropped with the session.
        res.set({ 'Set-Cookie': clearedSessionCookie(req, auth.publicUrl), 'Clear-Site-Data': '"cache"' });
        res.json({ message: 'Logout successful' });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/auth/me',
      access: 'authenticated',
      summary: 'The signed-in user, role and permissions',
      responses: { 200: meReply },
      handler: ({ res, actor }) => {
        res.json(meJson(actor));
      },
    }),
  ];
}
