import { resolve } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import Sqlite from 'better-sqlite3';
import { Pool } from 'pg';

import { PrismaClient as PostgresClient } from './generated/postgres/client';
import { PrismaClient as SqliteClient } from './generated/sqlite/client';
import { createPostgresChangeFeed, createSqliteChangeFeed, type ChangeFeed } from './notifications';
import { createPostgresReader, createSqliteReader, type SqlReader } from './sql-reader';

/**
 * The two generated clients have the same API (one model, two providers); the rest of the code
 * is typed against the SQLite one.
 */
export type Database = SqliteClient;

/**
 * What a transaction gives the work done in it (Prisma's interactive transaction client); typed
 * as the client, so that repository functions take either.
 */
export type Transaction = Database;

export type TransactionOptions = { maxWait?: number; timeout?: number };

export type DatabaseHandle = {
  /** Prisma: every write and most reads. */
  db: Database;
  /** Plain SQL on the same database, for the few reads on every request's path. */
  reader: SqlReader;
  /** What other connections change, as they commit (see notifications.ts). */
  changes: ChangeFeed;
  close: () => Promise<void>;
  /** PostgreSQL: the connection pool's counts right now, read-only (for metrics); SQLite has no pool. */
  poolStats?: () => PoolStats;
};

/** Connections open, idle (so in use = total − idle), and queries waiting for one. */
export type PoolStats = { total: number; idle: number; waiting: number };

export function isSqliteUrl(url: string): boolean {
  return url.startsWith('file:');
}

/** The file behind a `file:` URL, relative to the working directory unless absolute. */
export function sqliteFilePath(url: string): string {
  return resolve(url.replace(/^file:/, '').replace(/\?.*$/, ''));
}

export type DatabaseOptions = {
  /** How long a write waits for a lock held by someone else before failing (then: 503). */
  lockTimeoutMs?: number;
};

export function openDatabase(url: string, { lockTimeoutMs = 5000 }: DatabaseOptions = {}): DatabaseHandle {
  if (isSqliteUrl(url)) {
    const db = new SqliteClient({
      adapter: new PrismaBetterSqlite3({ url: `file:${sqliteFilePath(url)}`, timeout: lockTimeoutMs }),
    });
    const connection = new Sqlite(sqliteFilePath(url), { timeout: lockTimeoutMs });
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = NORMAL');
    return {
      db,
      reader: createSqliteReader(connection),
      changes: createSqliteChangeFeed(connection),
      async close() {
        await db.$disconnect();
        connection.close();
      },
    };
  }
  const pool = new Pool({ connectionString: url, max: 10, options: `-c lock_timeout=${lockTimeoutMs}` });
  // An idle connection the server closes (restart, failover) emits 'error' on the pool; unhandled,
  // that would end the process. The pool drops the broken client and the next query reconnects.
  pool.on('error', () => undefined);
  const db = new PostgresClient({ adapter: new PrismaPg(pool) }) as unknown as Database;
  const changes = createPostgresChangeFeed(url);
  return {
    db,
    reader: createPostgresReader(pool),
    changes,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      await changes.close();
      await db.$disconnect();
      await pool.end();
    },
  };
}
