// Users: the admin's user list and changes, and the account rows other features read (auth signs
// users in and registers them through these). Needs roles and audit; tokens and share links come
// in as ports (a deactivation ends both).
export { toUserJson } from './users.mapper';
export { createAccounts, type Accounts } from './accounts';
export { userRoutes } from './users.routes';
export { meReply } from './users.schemas';
export { createUsersService, type UserSessions, type UserShareLinks, type UsersService } from './users.service';
