import type { RequestHandler } from 'express';
import type { Authenticator } from '../auth/passport';

/** Requires `Authorization: Token <t>`; the actor is kept in `res.locals.actor`. */
export function authenticate(authenticator: Authenticator): RequestHandler {
  return async (req, res, next) => {
    res.locals.actor = await authenticator.authenticateToken(req, res);
    next();
  };
}
