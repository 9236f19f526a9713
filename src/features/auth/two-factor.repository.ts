import type { Database } from '../../platform/db/client';

/** An account's second factor as stored: the secret is read here and never leaves the auth feature. */
export function findTwoFactor(db: Database, userId: number) {
  return db.user.findUnique({
    where: { id: userId },
    select: { id: true, username: true, totpSecret: true, totpEnabledAt: true },
  });
}

export function countUnusedRecoveryCodes(db: Database, userId: number) {
  return db.recoveryCode.count({ where: { userId, usedAt: null } });
}

/** A new secret, not in force until confirmed; refused (count 0) while one is in force. */
export function setPendingSecret(db: Database, userId: number, secret: string) {
  return db.user.updateMany({
    where: { id: userId, totpEnabledAt: null },
    data: { totpSecret: secret, totpLastStep: null },
  });
}

/**
 * Puts the pending secret in force with the step of the code that confirmed it, if it is still the
 * secret the code was checked against and not in force yet (count 0 otherwise).
 */
export function enableSecret(db: Database, userId: number, secret: string, step: number, at: Date) {
  return db.user.updateMany({
    where: { id: userId, totpSecret: secret, totpEnabledAt: null },
    data: { totpEnabledAt: at, totpLastStep: step },
  });
}

/**
 * Takes the time step of an accepted code, in one statement: only when it is later than every step
 * taken before, so that of any number of requests with one code at most one gets count 1.
 */
export function takeStep(db: Database, userId: number, secret: string, step: number) {
  return db.user.updateMany({
    where: {
      id: userId,
      totpSecret: secret,
      totpEnabledAt: { not: null },
      OR: [{ totpLastStep: null }, { totpLastStep: { lt: step } }],
    },
    data: { totpLastStep: step },
  });
}

/** Uses a recovery code, in one statement: count 1 for the one request that used it. */
export function useRecoveryCode(db: Database, userId: number, codeHash: string, at: Date) {
  return db.recoveryCode.updateMany({ where: { userId, codeHash, usedAt: null }, data: { usedAt: at } });
}

/** The account's recovery codes become these (hashes): the old ones stop working. */
export async function replaceRecoveryCodes(db: Database, userId: number, codeHashes: string[]) {
  await db.recoveryCode.deleteMany({ where: { userId } });
  await db.recoveryCode.createMany({ data: codeHashes.map((codeHash) => ({ userId, codeHash })) });
}

/** Turns the second factor off: secret, time of enrolment, last step and recovery codes go. */
export async function clearTwoFactor(db: Database, userId: number) {
  await db.recoveryCode.deleteMany({ where: { userId } });
  return db.user.updateMany({
    where: { id: userId },
    data: { totpSecret: null, totpEnabledAt: null, totpLastStep: null },
  });
}
