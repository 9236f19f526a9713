import type { Database, Transaction } from '../../platform/db/client';

/** The account a reset link may be sent for: found by its email, whatever its case. */
export function findAccountByEmail(db: Database, emailLower: string) {
  return db.user.findUnique({
    where: { emailLower },
    select: { id: true, username: true, email: true, isActive: true, passwordSignIn: true },
  });
}

export function insertReset(tx: Transaction, data: { userId: number; tokenHash: string; expiresAt: Date }) {
  return tx.passwordReset.create({ data, select: { id: true } });
}

/** A reset by its token's hash, with what the reset needs of its account. */
export function findReset(db: Database, tokenHash: string) {
  return db.passwordReset.findUnique({
    where: { tokenHash },
    select: {
      id: true,
      expiresAt: true,
      usedAt: true,
      user: { select: { id: true, username: true, isActive: true, passwordSignIn: true } },
    },
  });
}

/**
 * Marks the reset used if it still is unused and unexpired: one atomic statement, so that of many
 * requests with one link exactly one gets a count of 1.
 */
export function claimReset(tx: Transaction, id: number, now: Date) {
  return tx.passwordReset.updateMany({ where: { id, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
}

/** Every other link of the account stops working with the reset. */
export function retireResets(tx: Transaction, userId: number, now: Date) {
  return tx.passwordReset.updateMany({ where: { userId, usedAt: null }, data: { usedAt: now } });
}

export function setPassword(tx: Transaction, userId: number, passwordHash: string) {
  return tx.user.update({ where: { id: userId }, data: { passwordHash }, select: { id: true } });
}

/** Every token of the account, personal ones included. */
export function revokeAllTokens(tx: Transaction, userId: number, now: Date) {
  return tx.token.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
}
