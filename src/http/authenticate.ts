import type { Request, RequestHandler, Response } from 'express';
import type { Actor } from '../shared/actor';

/** Whatever turns a request's token into the signed-in actor (the auth feature's passport). */
export type TokenAuthenticator = {
  /**
   * The actor for the request's token (the Authorization header, else the session cookie); throws
   * 401 when there is none or it is not valid, 403 CSRF_REJECTED for a cookie write that fails the CSRF check.
   */
  authenticateToken(req: Request, res: Response): Promise<Actor>;
};

/**
 * Requires `Authorization: Token <t>` or, without that header, the browser's session cookie (whose
 * writes must pass the CSRF check); the actor is kept in `res.locals.actor`.
 */
export function authenticate(authenticator: TokenAuthenticator): RequestHandler {
  return async (req, res, next) => {
    res.locals.actor = await authenticator.authenticateToken(req, res);
    next();
  };
}
