import type { Database } from './client';
import { Prisma } from './generated/sqlite/client';

/** How attempts on one key are limited; times in milliseconds. */
export type AttemptLimits = {
  /** Attempts in a window; the one that reaches this number locks the key. */
  maxAttempts: number;
  windowMs: number;
  /** The first lock; each further attempt while over the limit doubles it, up to `maxLockMs`. */
  lockMs: number;
  maxLockMs: number;
};

/** A slot taken on a key: which window it counts in, and who took it. */
export type Reservation = { key: string; windowStart: number; attemptId: string };

/**
 * How many doublings of `lockMs` reach `maxLockMs`: from there on every lock is `maxLockMs`. At most
 * 30, so that the shift in SQL stays well inside a 64-bit integer.
 */
function doublingsToMax({ lockMs, maxLockMs }: AttemptLimits): number {
  let doublings = 0;
  while (doublings < 30 && lockMs * 2 ** doublings < maxLockMs) doublings++;
  return doublings;
}

/** The lock set by the attempt that brings a key to `attempts` (0: none); `reserve` computes the same in SQL. */
export function lockLength(attempts: number, limits: AttemptLimits): number {
  if (attempts < limits.maxAttempts) return 0;
  return Math.min(limits.lockMs * 2 ** (attempts - limits.maxAttempts), limits.maxLockMs);
}

/**
 * Attempts at a secret counted in the database (the AttemptThrottle table), shared by every server
 * process on it. Taking a slot is ONE statement per key, an insert-or-update whose update only
 * happens while the key is not locked (`INSERT … ON CONFLICT DO UPDATE … WHERE … RETURNING`, the
 * same SQL on SQLite and PostgreSQL): it starts a new window when the old one has passed, counts
 * the attempt, and when the count reaches the limit sets the lock in the same statement, so that
 * the next parallel attempt is refused without any row being read first. A statement refused by
 * the lock returns no row.
 *
 * A slot counts as a failure until it is given back: the lock is set when the last slot is taken,
 * before anyone knows whether that attempt is right (a right one lifts it again), and a process
 * that dies between taking a slot and comparing leaves a failure, never a free guess. Times are
 * milliseconds since the epoch in integer columns, compared alike by both databases. Rows whose
 * window and lock have both passed are deleted at most once per window per process, off the
 * request's path.
 */
export function databaseAttemptStore(db: Database) {
  let nextSweep = 0;

  function sweep(now: number, windowMs: number) {
    if (now < nextSweep) return;
    nextSweep = now + windowMs;
    db.$executeRaw`DELETE FROM "AttemptThrottle" WHERE "windowStart" < ${now - windowMs} AND "lockedUntil" < ${now}`.catch(
      () => undefined,
    );
  }

  return {
    /**
     * Takes one attempt's slot on `key` at `now`, or returns null when the key is locked. The
     * attempt that reaches the limit (or any attempt past it) locks the key for `lockLength`, and
     * writes its id as the lock's author.
     */
    async reserve(key: string, limits: AttemptLimits, now: number, attemptId: string): Promise<Reservation | null> {
      sweep(now, limits.windowMs);
      const { maxAttempts, windowMs, lockMs, maxLockMs } = limits;
      const firstLock = lockLength(1, limits);
      // The row as it was before this statement (every SET expression reads that one): a window
      // that has passed starts again with this attempt.
      const windowPassed = Prisma.sql`"AttemptThrottle"."windowStart" < ${now - windowMs}`;
      const attempts = Prisma.sql`(CASE WHEN ${windowPassed} THEN 1 ELSE "AttemptThrottle"."attempts" + 1 END)`;
      const rows = await db.$queryRaw<{ windowStart: number | bigint }[]>`
        INSERT INTO "AttemptThrottle" ("key", "attempts", "windowStart", "lockedUntil", "lockedBy")
        VALUES (${key}, 1, ${now}, ${firstLock === 0 ? 0 : now + firstLock}, ${firstLock === 0 ? null : attemptId})
        ON CONFLICT ("key") DO UPDATE SET
          "attempts" = ${attempts},
          "windowStart" = CASE WHEN ${windowPassed} THEN ${now} ELSE "AttemptThrottle"."windowStart" END,
          "lockedUntil" = CASE
            WHEN ${attempts} < ${maxAttempts} THEN 0
            WHEN ${attempts} - ${maxAttempts} >= ${doublingsToMax(limits)} THEN CAST(${now + maxLockMs} AS BIGINT)
            ELSE ${now} + (CAST(${lockMs} AS BIGINT) << CAST(${attempts} - ${maxAttempts} AS INTEGER))
          END,
          "lockedBy" = CASE WHEN ${attempts} < ${maxAttempts} THEN NULL ELSE ${attemptId} END
        WHERE "AttemptThrottle"."lockedUntil" <= ${now}
        RETURNING "windowStart"`;
      return rows.length === 0 ? null : { key, windowStart: Number(rows[0].windowStart), attemptId };
    },

    /**
     * Gives a slot back (its attempt was right, or was no attempt after all): one attempt less in
     * the window it was taken in (none when a new window has begun since), and the lock lifted if
     * this attempt set it — a lock set by another attempt stays.
     */
    async giveBack({ key, windowStart, attemptId }: Reservation): Promise<void> {
      await db.$executeRaw`
        UPDATE "AttemptThrottle" SET
          "attempts" = "attempts" - 1,
          "lockedUntil" = CASE WHEN "lockedBy" = ${attemptId} THEN 0 ELSE "lockedUntil" END,
          "lockedBy" = CASE WHEN "lockedBy" = ${attemptId} THEN NULL ELSE "lockedBy" END
        WHERE "key" = ${key} AND "windowStart" = ${windowStart} AND "attempts" > 0`;
    },

    /** Forgets the key's attempts and lock (an account's owner signed in). */
    async clear(key: string): Promise<void> {
      await db.$executeRaw`DELETE FROM "AttemptThrottle" WHERE "key" = ${key}`;
    },

    /** When the latest lock on any of `keys` ends (epoch milliseconds; 0 when none was ever set). */
    async lockedUntil(keys: string[]): Promise<number> {
      let until = 0;
      for (const key of keys) {
        const [row] = await db.$queryRaw<
          { lockedUntil: number | bigint }[]
        >`SELECT "lockedUntil" FROM "AttemptThrottle" WHERE "key" = ${key}`;
        if (row) until = Math.max(until, Number(row.lockedUntil));
      }
      return until;
    },
  };
}

export type AttemptStore = ReturnType<typeof databaseAttemptStore>;
