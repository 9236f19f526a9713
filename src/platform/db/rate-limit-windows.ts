import type { Database } from './client';

/** What the rate limiter needs of a store (the http layer's `RateLimitStore`, structurally). */
export type CountedWindow = { count: number; resetAt: number };

/**
 * The rate limiter's counts in the database (RATE_LIMIT_STORE=database), shared by every server
 * process on it. Windows are fixed and aligned on the epoch (`windowStart` is the same on every
 * node), so that nodes count into the same row; each request is one statement, an atomic
 * insert-or-increment that returns the new count (`INSERT … ON CONFLICT DO UPDATE … RETURNING`,
 * the same SQL on SQLite and PostgreSQL). Rows of windows that have passed are deleted at most
 * once per window per process, off the request's path.
 */
export function databaseRateLimitStore(db: Database) {
  let nextSweep = 0;

  function sweep(before: number) {
    db.$executeRaw`DELETE FROM "RateLimitWindow" WHERE "windowStart" < ${before}`.catch(() => undefined);
  }

  return {
    async hit(key: string, windowMs: number, now: number): Promise<CountedWindow> {
      const windowStart = Math.floor(now / windowMs) * windowMs;
      if (now >= nextSweep) {
        nextSweep = windowStart + windowMs;
        sweep(windowStart);
      }
      const [row] = await db.$queryRaw<{ count: number | bigint }[]>`
        INSERT INTO "RateLimitWindow" ("key", "windowStart", "count") VALUES (${key}, ${windowStart}, 1)
        ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateLimitWindow"."count" + 1
        RETURNING "count"`;
      return { count: Number(row.count), resetAt: windowStart + windowMs };
    },
  };
}
