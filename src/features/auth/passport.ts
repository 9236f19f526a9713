import type { Request, RequestHandler, Response } from 'express';
import { Passport } from 'passport';
import { Strategy as CustomStrategy } from 'passport-custom';
import { Strategy as LocalStrategy } from 'passport-local';

import { clientAddress } from '../../http/request-context';
import type { Actor } from '../../shared/actor';
import { AppError } from '../../shared/errors';
import type { AuthService } from './auth.service';
import { checkCsrf, clearedSessionCookie, readSessionCookie } from './session-cookie';
import { readTokenHeader } from './tokens';

export const TOKEN_CHALLENGE = { 'WWW-Authenticate': 'Token' };

/** The one-time code sent with a sign-in (`otp`, checked by the route's body schema), if any. */
const otpOf = (req: Request): string | undefined => {
  const otp = (req.body as { otp?: unknown } | undefined)?.otp;
  return typeof otp === 'string' && otp !== '' ? otp : undefined;
};

type SignedIn = Awaited<ReturnType<AuthService['signIn']>>;
type SessionStarted = Awaited<ReturnType<AuthService['startSession']>>;

/**
 * One passport instance per app: `token` for the Authorization header or, when there is none, the
 * browser's session cookie (writes with it pass the CSRF check); `local` and `local-browser` for
 * username and password (passport-local reads them from the body), whose verification is the
 * auth service's throttled sign-in: the attempt is counted before the password is compared.
 */
export function createPassport(auth: AuthService) {
  const passport = new Passport();
  const settle =
    <T>(done: (error: unknown, result?: T) => void) =>
    (work: Promise<T>) =>
      void work.then(
        (result) => done(null, result),
        (error: unknown) => done(error),
      );
  passport.use(
    'local',
    new LocalStrategy({ passReqToCallback: true, session: false }, (req, username, password, done) =>
      settle(done)(auth.signIn({ username, password, otp: otpOf(req) }, clientAddress(req))),
    ),
  );
  passport.use(
    'local-browser',
    new LocalStrategy({ passReqToCallback: true, session: false }, (req, username, password, done) =>
      settle(done)(auth.startSession({ username, password, otp: otpOf(req) }, clientAddress(req))),
    ),
  );

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

  function run<T>(strategy: 'token' | 'local' | 'local-browser', req: Request, res: Response): Promise<T | false> {
    return new Promise((resolve, reject) => {
      const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));
      const authenticate = passport.authenticate(strategy, { session: false }, (error: unknown, user: T | false) => {
        if (error) reject(asError(error));
        else resolve(user);
      }) as RequestHandler;
      authenticate(req, res, (error?: unknown) => reject(asError(error)));
    });
  }

  /** A sign-in by username and password from the request's body; 401 when the body has none. */
  async function credentials<T>(strategy: 'local' | 'local-browser', req: Request): Promise<T> {
    const result = await run<T>(strategy, req, req.res!);
    if (!result) throw new AppError('INVALID_CREDENTIALS');
    return result;
  }

  return {
    /** Username and password: a new token (`kind: session`). */
    signIn: (req: Request) => credentials<SignedIn>('local', req),
    /** Username and password: a new browser session's token, and the actor it signs in. */
    startSession: (req: Request) => credentials<SessionStarted>('local-browser', req),
    /** The actor for the request's token; throws 401 (with a challenge) when there is none. */
    async authenticateToken(req: Request, res: Response): Promise<Actor> {
      const actor = await run<Actor>('token', req, res);
      if (!actor) throw new AppError('INVALID_TOKEN', undefined, { headers: TOKEN_CHALLENGE });
      return actor;
    },
  };
}

export type Authenticator = ReturnType<typeof createPassport>;
