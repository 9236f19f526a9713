import type { Database, Transaction } from '../../platform/db/client';

/** What single sign-on reads of an account: enough to sign it in and to set its role. */
const accountSelect = {
  id: true,
  username: true,
  email: true,
  isActive: true,
  totpEnabledAt: true,
  role: { select: { name: true } },
} as const;

/** The account an identity at a provider (issuer and subject) signs in to, or null. */
export async function findByIdentity(db: Database, issuer: string, subject: string) {
  const identity = await db.userIdentity.findUnique({
    where: { issuer_subject: { issuer, subject } },
    select: { user: { select: accountSelect } },
  });
  return identity?.user ?? null;
}

/** The account with this email address, whatever its case, or null. */
export function findByEmail(db: Database, email: string) {
  return db.user.findUnique({ where: { emailLower: email.toLowerCase() }, select: accountSelect });
}

export function usernameTaken(db: Database, username: string) {
  return db.user
    .findUnique({ where: { usernameLower: username.toLowerCase() }, select: { id: true } })
    .then((found) => found !== null);
}

export async function emailTaken(db: Database, email: string) {
  return (await findByEmail(db, email)) !== null;
}

export function insertIdentity(tx: Transaction, userId: number, issuer: string, subject: string) {
  return tx.userIdentity.create({ data: { userId, issuer, subject }, select: { id: true } });
}

export function insertAccount(
  tx: Transaction,
  data: { username: string; email: string; passwordHash: string; roleId: number; passwordSignIn: boolean },
) {
  return tx.user.create({
    data: { ...data, usernameLower: data.username.toLowerCase(), emailLower: data.email.toLowerCase() },
    select: accountSelect,
  });
}

export function setRole(tx: Transaction, userId: number, roleId: number) {
  return tx.user.update({ where: { id: userId }, data: { roleId }, select: accountSelect });
}

export type OidcAccount = NonNullable<Awaited<ReturnType<typeof findByIdentity>>>;
