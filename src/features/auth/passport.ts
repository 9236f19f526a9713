import type { Request, RequestHandler, Response } from 'express';
import { Passport } from 'passport';
import { Strategy as CustomStrategy } from 'passport-custom';

import { clientAddress } from '../../http/request-context';
import type { Actor } from '../../shared/actor';
import { AppError } from '../../shared/errors';
import type { AuthService } from './auth.service';
import { checkCsrf, clearedSessionCookie, readSessionCookie } from './session-cookie';
import { readTokenHeader } from './tokens';

export const TOKEN_CHALLENGE = { 'WWW-Authenticate': 'Token' };

/**
 * One passport instance per app: `token` for the Authorization header or, when there is none, the
 * browser's session cookie (writes with it pass the CSRF check). Username and password are the
 * auth service's (`signIn`).
 */
export function createPassport(auth: AuthService) {
  const passport = new Passport();

  passport.use(
    'token',
    new CustomStrategy((req, done) => {
      const header = readTokenHeader(req.headers.authorization);
      if (header === 'missing') {
        const cookie = readSessionCookie(req.headers.cookie);
        if (!cookie) return done(new AppError('UNAUTHENTICATED', undefined, { headers: TOKEN_CHALLENGE }));
        try {
          checkCsrf(req, auth.publicUrl);
        } catch (error) {
          return done(error);
        }
        // A cookie whose session has ended is removed, so that the browser stops sending it.
        const ended = () =>
          new AppError('INVALID_TOKEN', undefined, {
            headers: { ...TOKEN_CHALLENGE, 'Set-Cookie': clearedSessionCookie(req, auth.publicUrl) },
          });
        auth.resolveToken(cookie, clientAddress(req)).then(
          (actor) => (actor ? done(null, actor) : done(ended())),
          (error) => done(error),
        );
        return;
      }
      if (header === 'malformed') return done(new AppError('INVALID_TOKEN', undefined, { headers: TOKEN_CHALLENGE }));
      auth.resolveToken(header.token, clientAddress(req)).then(
        (actor) =>
          actor ? done(null, actor) : done(new AppError('INVALID_TOKEN', undefined, { headers: TOKEN_CHALLENGE })),
        (error) => done(error),
      );
    }),
  );

  function run<T>(strategy: 'token', req: Request, res: Response): Promise<T | false> {
    return new Promise((resolve, reject) => {
      const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));
      const authenticate = passport.authenticate(strategy, { session: false }, (error: unknown, user: T | false) => {
        if (error) reject(asError(error));
        else resolve(user);
      }) as RequestHandler;
      authenticate(req, res, (error?: unknown) => reject(asError(error)));
    });
  }

  return {
    /** The actor for the request's token; throws 401 (with a challenge) when there is none. */
    async authenticateToken(req: Request, res: Response): Promise<Actor> {
      const actor = await run<Actor>('token', req, res);
      if (!actor) throw new AppError('INVALID_TOKEN', undefined, { headers: TOKEN_CHALLENGE });
      return actor;
    },
  };
}

export type Authenticator = ReturnType<typeof createPassport>;
