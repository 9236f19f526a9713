import type { Database } from '../../platform/db/client';

const listed = { id: true, name: true, transports: true, createdAt: true, lastUsedAt: true } as const;

export function listPasskeys(db: Database, userId: number) {
  return db.passkey.findMany({ where: { userId }, select: listed, orderBy: { id: 'asc' } });
}

export function countPasskeys(db: Database, userId: number) {
  return db.passkey.count({ where: { userId } });
}

/** The credential ids of a user's passkeys: the browser is told not to make a second one on the same device. */
export function credentialIdsOf(db: Database, userId: number) {
  return db.passkey.findMany({ where: { userId }, select: { credentialId: true, transports: true } });
}

/** A passkey by its credential id, with what a sign-in needs to know of its user. */
export function findByCredential(db: Database, credentialId: string) {
  return db.passkey.findUnique({
    where: { credentialId },
    include: { user: { select: { id: true, username: true, email: true, isActive: true, role: true } } },
  });
}

export type NewPasskey = {
  userId: number;
  credentialId: string;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string;
  name: string;
};

export function insertPasskey(db: Database, data: NewPasskey) {
  return db.passkey.create({ data: { ...data, counter: BigInt(data.counter) }, select: listed });
}

/**
 * A sign-in's new counter, in one statement: only over the counter it was checked against, so that
 * of two sign-ins racing with one passkey (or a clone of it) at most one gets count 1.
 */
export function advanceCounter(db: Database, id: number, checked: bigint, counter: number, at: Date) {
  return db.passkey.updateMany({
    where: { id, counter: checked },
    data: { counter: BigInt(counter), lastUsedAt: at },
  });
}

export function renamePasskey(db: Database, userId: number, id: number, name: string) {
  return db.passkey.updateMany({ where: { id, userId }, data: { name } });
}

export function findOwnPasskey(db: Database, userId: number, id: number) {
  return db.passkey.findFirst({ where: { id, userId }, select: listed });
}

export function deletePasskey(db: Database, userId: number, id: number) {
  return db.passkey.deleteMany({ where: { id, userId } });
}

export function deleteAllPasskeys(db: Database, userId: number) {
  return db.passkey.deleteMany({ where: { userId } });
}

/** A challenge handed out, good until `expiresAt`; the expired ones of anyone are swept on the way. */
export async function saveChallenge(
  db: Database,
  data: { challenge: string; purpose: 'register' | 'login'; userId: number | null; expiresAt: Date },
) {
  await db.passkeyChallenge.deleteMany({ where: { expiresAt: { lte: new Date() } } });
  await db.passkeyChallenge.create({ data });
}

/**
 * Uses a challenge up, in one statement: count 1 for the one request that used it while it was
 * good (for this purpose and this user), 0 for every other.
 */
export function takeChallenge(
  db: Database,
  where: { challenge: string; purpose: 'register' | 'login'; userId: number | null },
  now: Date,
) {
  return db.passkeyChallenge.deleteMany({ where: { ...where, expiresAt: { gt: now } } });
}
