import type { Permission } from '../roles/permissions';

/** The signed-in user making a request, as every service sees it. */
export type Actor = {
  id: number;
  username: string;
  email: string;
  role: string | null;
  permissions: ReadonlySet<Permission>;
  tokenId: number;
  /** A `read` token may only read, whatever the role allows. */
  scope: TokenScope;
};

export type TokenScope = 'read' | 'read-write';

export const isAdmin = (actor: Actor) => actor.role === 'admin';
