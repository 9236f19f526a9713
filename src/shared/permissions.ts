/** The roles, their labels, and the one table of what each may do. Deny by default. */
export const ROLES = [
  { name: 'admin', label: 'Admin' },
  { name: 'beta_player', label: 'Beta Player' },
  { name: 'company_user', label: 'Company User' },
  { name: 'subscriber', label: 'Subscriber' },
] as const;

export type RoleName = (typeof ROLES)[number]['name'];

/** Roles a person may pick for themselves at registration; the others are granted by an admin. */
export const SELF_ASSIGNABLE_ROLES: readonly RoleName[] = ['company_user', 'subscriber'];
export const DEFAULT_ROLE: RoleName = 'subscriber';

export const PERMISSIONS = [
  'gallery:read',
  'gallery:create',
  'gallery:update',
  'gallery:delete',
  'image:read',
  'image:manage',
  'image:create',
  'image:update',
  'image:delete',
  'role:read',
  'user:manage',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const VIEW_ONLY: readonly Permission[] = ['gallery:read', 'image:read', 'role:read'];
const FULL_ACCESS: readonly Permission[] = [
  ...VIEW_ONLY,
  'gallery:create',
  'gallery:update',
  'gallery:delete',
  'image:manage',
  'image:create',
  'image:update',
  'image:delete',
];

export const ROLE_PERMISSIONS: Record<RoleName, readonly Permission[]> = {
  admin: PERMISSIONS,
  beta_player: FULL_ACCESS,
  company_user: VIEW_ONLY,
  subscriber: VIEW_ONLY,
};

export function isRoleName(value: unknown): value is RoleName {
  return typeof value === 'string' && ROLES.some((role) => role.name === value);
}

/** Permissions of a role; a user without a role (or with one this server does not know) has none. */
export function permissionsOf(role: string | null | undefined): readonly Permission[] {
  return isRoleName(role) ? ROLE_PERMISSIONS[role] : [];
}

export function roleLabel(role: string | null | undefined): string | null {
  return ROLES.find((candidate) => candidate.name === role)?.label ?? null;
}
