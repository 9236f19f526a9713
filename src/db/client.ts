import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient } from './generated/sqlite/client';
import { PrismaClient as PostgresClient } from './generated/postgres/client';

/**
 * The two generated clients have the same API (one model, two providers); the rest of the code
 * is typed against the SQLite one.
 */
export type Database = SqliteClient;

export function isSqliteUrl(url: string): boolean {
  return url.startsWith('file:');
}

export function createDatabase(url: string): Database {
  if (isSqliteUrl(url)) {
    return new SqliteClient({ adapter: new PrismaBetterSqlite3({ url }) });
  }
  const client = new PostgresClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
  return client as unknown as Database;
}

/** Settings a SQLite database needs to serve concurrent requests well. No-op on PostgreSQL. */
export async function tuneDatabase(db: Database, url: string): Promise<void> {
  if (!isSqliteUrl(url)) return;
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
  await db.$queryRawUnsafe('PRAGMA foreign_keys = ON');
}
