/**
 * What can go wrong with a database call, as the rest of the server needs to tell it apart:
 * a unique or foreign-key constraint, a row that is not there, or a database that cannot answer
 * right now (locked, busy, unreachable, shutting down). Read from Prisma's error codes and the
 * driver's own code and message, the same on SQLite and PostgreSQL.
 */
export type DatabaseFailure = 'unique-violation' | 'foreign-key' | 'record-missing' | 'unavailable';

type PrismaLikeError = { name?: unknown; code?: unknown; message?: unknown; meta?: unknown };

/** SQLite and PostgreSQL saying "not now": locked, busy, refusing connections, shutting down. */
const UNAVAILABLE_PATTERN =
  /SQLITE_BUSY|SQLITE_LOCKED|SQLITE_CANTOPEN|SQLITE_READONLY|SQLITE_IOERR|database is locked|SocketTimeout|DatabaseNotReachable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|too many clients|the database system is (starting up|shutting down)|lock timeout|canceling statement due to (lock|statement) timeout|terminating connection|deadlock detected/i;
/**
 * PostgreSQL SQLSTATE classes for the same: 08 connection, 53 resources, 57 operator intervention,
 * 55P03 lock not available; and a transaction the database gave up that is worth trying again:
 * 40001 serialization failure, 40P01 deadlock.
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57)|^(55P03|40001|40P01)$/;

function unavailable(error: PrismaLikeError): boolean {
  // Prisma: P1001 cannot reach, P1002 timed out reaching, P1008 operation timed out (a lock held
  // elsewhere), P1017 connection closed, P2028 a transaction not started or ended in its time (a
  // busy pool); the driver's own code sits in meta.driverAdapterError.
  if (typeof error.code === 'string' && /^(P10(01|02|08|17)|P2028)$/.test(error.code)) return true;
  if (error.name === 'PrismaClientInitializationError') return true;
  const driver = (
    error.meta as
      | { driverAdapterError?: { cause?: { originalCode?: unknown; originalMessage?: unknown; kind?: unknown } } }
      | undefined
  )?.driverAdapterError?.cause;
  const sqlState = driver?.originalCode;
  if (typeof sqlState === 'string' && UNAVAILABLE_SQLSTATE.test(sqlState)) return true;
  return [error.message, sqlState, driver?.originalMessage, driver?.kind].some(
    (text) => typeof text === 'string' && UNAVAILABLE_PATTERN.test(text),
  );
}

export function databaseFailureOf(error: unknown): DatabaseFailure | null {
  if (typeof error !== 'object' || error === null) return null;
  const prisma = error as PrismaLikeError;
  if (unavailable(prisma)) return 'unavailable';
  if (prisma.name !== 'PrismaClientKnownRequestError') return null;
  if (prisma.code === 'P2002') return 'unique-violation';
  if (prisma.code === 'P2003') return 'foreign-key';
  if (prisma.code === 'P2025' || prisma.code === 'P2015') return 'record-missing';
  return null;
}

export const isUniqueViolation = (error: unknown) => databaseFailureOf(error) === 'unique-violation';
export const isRecordMissing = (error: unknown) => databaseFailureOf(error) === 'record-missing';
