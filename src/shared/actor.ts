import type { Permission } from './permissions';

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
  /** The client's address (from X-Forwarded-For only with TRUST_PROXY), for the audit log. */
  address: string | null;
  /** The rest of the user's account, as read with the token (what `/me` shows). */
  account: { isActive: boolean; storageQuotaMb: number | null; createdAt: Date; lastLoginAt: Date | null };
};

export type TokenScope = 'read' | 'read-write';

export const isAdmin = (actor: Actor) => actor.role === 'admin';
