import type { RequestHandler } from 'express';

import type { Actor } from '../shared/actor';
import { forbidden } from '../shared/errors';
import type { Permission } from '../shared/permissions';

/** Who may call a route: anyone, any signed-in user, or holders of one permission. */
export type Access = 'public' | 'authenticated' | Permission;

export function can(actor: Actor, permission: Permission): boolean {
  return actor.permissions.has(permission);
}

export function authorize(permission: Permission): RequestHandler {
  return (_req, res, next) => {
    const actor = res.locals.actor as Actor;
    if (!can(actor, permission)) throw forbidden();
    next();
  };
}
