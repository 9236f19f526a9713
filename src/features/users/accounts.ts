import type { Database, Transaction } from '../../platform/db/client';
import * as repo from './users.repository';

type NewAccountRow = Parameters<typeof repo.insertUser>[1];

/**
 * The accounts other parts of the server work with: auth signs users in, registers them and
 * changes their passwords; the command line makes admins. Operations on accounts, not the table;
 * a write runs in the caller's transaction when it passes one (`within`).
 */
export function createAccounts(db: Database) {
  return {
    /** A user with this username or email, whatever its case: the one that makes a new account clash. */
    findConflict: (username: string, email: string) => repo.findUserConflicts(db, username, email),
    /** A user by username, whatever its case, with the password hash and role: for password checks only. */
    findWithPassword: (username: string) => repo.findUserWithPassword(db, username),
    create: (data: NewAccountRow, within: Transaction = db) => repo.insertUser(within, data),
    setPasswordHash: (id: number, passwordHash: string, within: Transaction = db) =>
      repo.setUserPassword(within, id, passwordHash),
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
