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
 *
 * What a signed-in route answers depends on who asks: only the client's own cache may keep it
 * (`private`), and only to revalidate it (`no-cache`: an ETag and If-None-Match still give 304),
 * and a cache must tell one credential's reply from another's (`Vary`). A route that knows better
 * sets its own Cache-Control (the files' versioned URLs: immutable).
 */
export function authenticate(authenticator: TokenAuthenticator): RequestHandler {
  return async (req, res, next) => {
    res.set('Cache-Control', 'private, no-cache');
    res.vary('Authorization');
    res.vary('Cookie');
    res.locals.actor = await authenticator.authenticateToken(req, res);
    next();
  };
}
