import type { Database, Transaction } from '../../platform/db/client';
import type { Actor } from '../../shared/actor';
import { AppError, badRequest, notFound } from '../../shared/errors';
import { idPage } from '../../shared/paging';
import type { RoleName } from '../../shared/permissions';
import type { AuditEvent, AuditLog } from '../audit';
import type { RolesService } from '../roles';
import * as repo from './users.repository';

/**
 * What the users feature needs from the sign-in sessions (tokens belong to auth, a feature above
 * it): given by the app's wiring, so that the arrow between the two features points one way.
 */
export type UserSessions = {
  /** In the change's transaction: revokes every token of the user; how many. */
  revokeAll(tx: Transaction, userId: number): Promise<{ count: number }>;
  /** After a change of the user: whatever was kept of their sessions is read again. */
  forget(userId: number): void;
};

/**
 * What a deactivation needs from the share links the user made (sharing, a feature above this
 * one): given by the app's wiring. In the change's transaction: revokes every link the user made;
 * the audit events of those revokes.
 */
export type UserShareLinks = {
  endAll(tx: Transaction, userId: number, actor: Actor): Promise<AuditEvent[]>;
};

export type UsersDeps = {
  db: Database;
  audit: AuditLog;
  roles: RolesService;
  sessions: UserSessions;
  links: UserShareLinks;
};

export function createUsersService({ db, audit, roles, sessions, links }: UsersDeps) {
  return {
    /** Revokes every token of a user (a lost laptop, a leaked script); returns how many. */
    async revokeTokens(actor: Actor, id: number) {
      if (!(await repo.findUserById(db, id))) throw notFound('User not found');
      const { count } = await audit.withEvent(
        (tx) => sessions.revokeAll(tx, id),
        ({ count: revoked }) => ({
          action: 'user.tokens_revoke',
          actor,
          target: { type: 'user', id },
          detail: `revoked=${revoked}`,
          address: actor.address,
        }),
      );
      sessions.forget(id);
      return count;
    },

    async list(page: { limit: number; afterId?: number }) {
      return idPage(await repo.listUsers(db, page), page.limit);
    },

    async get(id: number) {
      const user = await repo.findUserById(db, id);
      if (!user) throw notFound('User not found');
      return user;
    },

    /**
     * Changes a user's role or status. Roles are read on every request, so a new role applies to
     * existing tokens at once; deactivating revokes every token and ends every share link the user
     * made (for good: a reactivation brings neither back). Admins cannot lock themselves out.
     */
    async update(
      actor: Actor,
      id: number,
      input: { role?: RoleName; isActive?: boolean; storageQuotaMb?: number | null },
    ) {
      if (id === actor.id && (input.isActive === false || (input.role && input.role !== 'admin'))) {
        throw badRequest('You cannot deactivate yourself or remove your own admin role.');
      }
      if (!(await repo.findUserById(db, id))) throw notFound('User not found');
      let roleId: number | undefined;
      if (input.role) {
        const role = await roles.find(input.role);
        if (!role) throw new AppError('SERVICE_UNAVAILABLE', 'Roles are not set up yet.');
        roleId = role.id;
      }
      const { user: updated } = await audit.withEvent(
        async (tx) => {
          const user = await repo.updateUser(tx, id, {
            roleId,
            isActive: input.isActive,
            storageQuotaMb: input.storageQuotaMb,
          });
          if (input.isActive !== false) return { user, linkEvents: [] };
          await sessions.revokeAll(tx, id);
          return { user, linkEvents: await links.endAll(tx, id, actor) };
        },
        ({ user, linkEvents }) => [
          {
            action: 'user.update',
            actor,
            target: { type: 'user', id: user.id },
            detail: JSON.stringify(input),
            address: actor.address,
          },
          ...linkEvents,
        ],
      );
      sessions.forget(id);
      return updated;
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
