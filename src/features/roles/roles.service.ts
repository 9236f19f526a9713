import type { Database } from '../../platform/db/client';
import { permissionsOf, SELF_ASSIGNABLE_ROLES, type RoleName } from '../../shared/permissions';
import * as repo from './roles.repository';

/** The seed at every start: the four roles, created when missing, their labels kept current. */
export function ensureRoles(db: Database): Promise<void> {
  return repo.ensureRoles(db);
}

export function createRolesService({ db }: { db: Database }) {
  return {
    /** Every role, what it may do, and whether it can be chosen at registration. */
    async list() {
      const roles = await repo.listRoles(db);
      return roles.map((role) => ({
        name: role.name as RoleName,
        label: role.label,
        selfAssignable: SELF_ASSIGNABLE_ROLES.includes(role.name as RoleName),
        permissions: [...permissionsOf(role.name)],
      }));
    },
    /** The role's row (its id), or null when the roles are not set up. */
    find: (name: RoleName) => repo.findRoleByName(db, name),
  };
}

export type RolesService = ReturnType<typeof createRolesService>;
