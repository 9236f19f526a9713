import type { Database } from '../../platform/db/client';
import { asBoolean, asDate, asNullableDate, type SqlReader } from '../../platform/db/sql-reader';

export const tokenInfoSelect = {
  id: true,
  kind: true,
  scope: true,
  name: true,
  prefix: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
} as const;

export function insertToken(
  db: Database,
  data: {
    userId: number;
    tokenHash: string;
    expiresAt: Date;
    kind: string;
    scope: string;
    name: string | null;
    prefix: string;
  },
) {
  return db.token.create({ data, select: tokenInfoSelect });
}

/** A user's tokens that still work (not revoked, not expired), newest first. */
export function listLiveTokens(db: Database, userId: number, now: Date) {
  return db.token.findMany({
    where: { userId, revokedAt: null, expiresAt: { gt: now } },
    orderBy: { id: 'desc' },
    take: 500,
    select: tokenInfoSelect,
  });
}

export function revokeOwnToken(db: Database, userId: number, tokenId: number, at: Date) {
  return db.token.updateMany({ where: { id: tokenId, userId, revokedAt: null }, data: { revokedAt: at } });
}

export function revokeOtherTokens(db: Database, userId: number, keepTokenId: number, at: Date) {
  return db.token.updateMany({ where: { userId, revokedAt: null, id: { not: keepTokenId } }, data: { revokedAt: at } });
}

type TokenRow = {
  id: number;
  scope: string;
  createdAt: unknown;
  expiresAt: unknown;
  revokedAt: unknown;
  lastUsedAt: unknown;
  userId: number;
  username: string;
  email: string;
  isActive: unknown;
  storageQuotaMb: number | null;
  userCreatedAt: unknown;
  lastLoginAt: unknown;
  roleName: string | null;
};

const TOKEN_WITH_USER = `
  SELECT t.id, t.scope, t."createdAt", t."expiresAt", t."revokedAt", t."lastUsedAt",
         u.id AS "userId", u.username, u.email, u."isActive", u."storageQuotaMb", u."createdAt" AS "userCreatedAt",
         u."lastLoginAt", r.name AS "roleName"
  FROM "Token" t
  JOIN "User" u ON u.id = t."userId"
  LEFT JOIN "Role" r ON r.id = u."roleId"
  WHERE t."tokenHash" = ?`;

/**
 * The token and its user in one query: this runs on every authenticated request, and reads all of
 * the user that `/me` shows, so that it needs no second query.
 */
export async function findTokenWithUser(reader: SqlReader, tokenHash: string) {
  const [row] = await reader.all<TokenRow>(TOKEN_WITH_USER, [tokenHash]);
  if (!row) return null;
  return {
    id: row.id,
    scope: row.scope === 'read' ? ('read' as const) : ('read-write' as const),
    createdAt: asDate(row.createdAt),
    expiresAt: asDate(row.expiresAt),
    revokedAt: asNullableDate(row.revokedAt),
    lastUsedAt: asNullableDate(row.lastUsedAt),
    user: {
      id: row.userId,
      username: row.username,
      email: row.email,
      isActive: asBoolean(row.isActive),
      storageQuotaMb: row.storageQuotaMb,
      createdAt: asDate(row.userCreatedAt),
      lastLoginAt: asNullableDate(row.lastLoginAt),
      role: row.roleName === null ? null : { name: row.roleName },
    },
  };
}

export type TokenWithUser = NonNullable<Awaited<ReturnType<typeof findTokenWithUser>>>;

export function touchToken(db: Database, tokenId: number, at: Date) {
  return db.token.update({ where: { id: tokenId }, data: { lastUsedAt: at }, select: { id: true } });
}

export function revokeToken(db: Database, tokenId: number, at: Date) {
  return db.token.updateMany({ where: { id: tokenId, revokedAt: null }, data: { revokedAt: at } });
}

export function revokeUserTokens(db: Database, userId: number, at: Date) {
  return db.token.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: at } });
}

export function recordLogin(db: Database, userId: number, at: Date) {
  return db.user.update({ where: { id: userId }, data: { lastLoginAt: at }, select: { id: true } });
}
