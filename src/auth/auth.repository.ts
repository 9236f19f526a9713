import type { Database } from '../db/client';

const userWithRole = { include: { role: { select: { name: true } } } } as const;

export function findUserByUsername(db: Database, username: string) {
  return db.user.findUnique({ where: { usernameLower: username.toLowerCase() }, ...userWithRole });
}

export function insertToken(db: Database, data: { userId: number; tokenHash: string; expiresAt: Date }) {
  return db.token.create({ data, select: { id: true, expiresAt: true } });
}

export function findTokenWithUser(db: Database, tokenHash: string) {
  return db.token.findUnique({
    where: { tokenHash },
    select: {
      id: true,
      expiresAt: true,
      revokedAt: true,
      lastUsedAt: true,
      user: {
        select: { id: true, username: true, email: true, isActive: true, role: { select: { name: true } } },
      },
    },
  });
}

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
