import type { AuditLog } from '../audit/audit.log';
import type { Actor } from '../auth/actor';
import { revokeUserTokens } from '../auth/auth.repository';
import type { AppDeps } from '../deps';
import { AppError, badRequest, notFound } from '../http/errors';
import type { RoleName } from '../roles/permissions';
import { findRoleByName } from '../roles/roles.repository';
import * as repo from './users.repository';

export function createUsersService({ db, audit }: Pick<AppDeps, 'db'> & { audit: AuditLog }) {
  return {
    /** Revokes every token of a user (a lost laptop, a leaked script); returns how many. */
    async revokeTokens(actor: Actor, id: number) {
      if (!(await repo.findUserById(db, id))) throw notFound('User not found');
      const { count } = await audit.withEvent(
        (tx) => revokeUserTokens(tx, id, new Date()),
        ({ count: revoked }) => ({ action: 'user.tokens_revoke', actor, target: { type: 'user', id }, detail: `revoked=${revoked}`, address: actor.address }),
      );
      return count;
    },

    list: (page: { limit: number; afterId?: number }) => repo.listUsers(db, page),

    async get(id: number) {
      const user = await repo.findUserById(db, id);
      if (!user) throw notFound('User not found');
      return user;
    },

    /**
     * Changes a user's role or status. Roles are read on every request, so a new role applies to
     * existing tokens at once; deactivating revokes every token. Admins cannot lock themselves out.
     */
    async update(actor: Actor, id: number, input: { role?: RoleName; isActive?: boolean; storageQuotaMb?: number | null }) {
      if (id === actor.id && (input.isActive === false || (input.role && input.role !== 'admin'))) {
        throw badRequest('You cannot deactivate yourself or remove your own admin role.');
      }
      if (!(await repo.findUserById(db, id))) throw notFound('User not found');
      let roleId: number | undefined;
      if (input.role) {
        const role = await findRoleByName(db, input.role);
        if (!role) throw new AppError('SERVICE_UNAVAILABLE', 'Roles are not set up yet.');
        roleId = role.id;
      }
      return audit.withEvent(
        async (tx) => {
          const user = await repo.updateUser(tx, id, { roleId, isActive: input.isActive, storageQuotaMb: input.storageQuotaMb });
          if (input.isActive === false) await revokeUserTokens(tx, id, new Date());
          return user;
        },
        (user) => ({ action: 'user.update', actor, target: { type: 'user', id: user.id }, detail: JSON.stringify(input), address: actor.address }),
      );
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
