// The roles: their rows (seeded at every start), the list of them, and the role-name schema. What
// each role may do is the one table in shared/permissions.ts. Needs no other feature.
export { roleRoutes } from './roles.routes';
export { roleName, roleReply } from './roles.schemas';
export { createRolesService, ensureRoles, type RolesService } from './roles.service';
