import type { Actor } from '../auth/actor';
import { revokeUserTokens } from '../auth/auth.repository';
import type { AppDeps } from '../deps';
import { AppError, badRequest, notFound } from '../http/errors';
import type { RoleName } from '../roles/permissions';
import { findRoleByName } from '../roles/roles.repository';
import * as repo from './users.repository';

export function createUsersService({ db }: Pick<AppDeps, 'db'>) {
  return {
    /** Revokes every token of a user (a lost laptop, a leaked script). */
    async revokeTokens(id: number) {
      if (!(await repo.findUserById(db, id))) throw notFound('User not found');
      const { count } = await revokeUserTokens(db, id, new Date());
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
      return db.$transaction(async (tx) => {
        const user = await repo.updateUser(tx as typeof db, id, { roleId, isActive: input.isActive, storageQuotaMb: input.storageQuotaMb });
        if (input.isActive === false) await revokeUserTokens(tx as typeof db, id, new Date());
        return user;
      });
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
