// Groups: admins make groups of users and fill them. A group is a member of galleries as a user is
// (the galleries feature reads the group tables in its access condition; it needs nothing from
// here). Needs audit.
export { groupRoutes } from './groups.routes';
export { createGroupsService, type GroupsService } from './groups.service';
