import { isSqliteUrl } from './client';
import {
  clearPostgres,
  postgresTableCounts,
  restorePostgres,
  snapshotPostgres,
  type PostgresTools,
} from './snapshot-postgres';
import { clearSqlite, restoreSqlite, snapshotSqlite, sqliteTableCounts } from './snapshot-sqlite';
import type { DatabaseKind, DatabaseSnapshot } from './snapshot-types';

export type { DatabaseKind, DatabaseSnapshot, PostgresTools };

export function databaseKind(url: string): DatabaseKind {
  return isSqliteUrl(url) ? 'sqlite' : 'postgres';
}

/** The snapshot's file name in a backup folder. */
export function snapshotFileName(kind: DatabaseKind): 'database.sqlite' | 'database.pgdump' {
  return kind === 'sqlite' ? 'database.sqlite' : 'database.pgdump';
}

/**
 * Writes a consistent copy of the database at `url` to `file` while others keep writing to it.
 * SQLite: the online backup API in one step (a read transaction: writers are not held up in WAL
 * mode). PostgreSQL: a repeatable-read transaction exports its snapshot, `pg_dump --snapshot` dumps
 * exactly that state, and the queries run in the same transaction.
 */
export function takeDatabaseSnapshot(url: string, file: string, tools: PostgresTools = {}): Promise<DatabaseSnapshot> {
  return isSqliteUrl(url) ? snapshotSqlite(url, file) : snapshotPostgres(url, file, tools);
}

/**
 * Replaces what the database at `url` holds with the snapshot in `file` (SQLite: the file put in
 * place; PostgreSQL: `pg_restore` in one transaction into an emptied schema). The caller checks
 * first that the target may be overwritten.
 */
export function restoreDatabaseSnapshot(url: string, file: string, tools: PostgresTools = {}): Promise<void> {
  return isSqliteUrl(url) ? restoreSqlite(url, file) : restorePostgres(url, file, tools);
}

/** Removes every table (and, on PostgreSQL, function) of the database at `url`: a restore with --force. */
export function clearDatabase(url: string): Promise<void> {
  return isSqliteUrl(url) ? clearSqlite(url) : clearPostgres(url);
}

/** Rows in each of `tables` that exists in the database at `url` (a missing database or table: left out). */
export function tableRowCounts(url: string, tables: string[]): Promise<Record<string, number>> {
  return isSqliteUrl(url) ? sqliteTableCounts(url, tables) : postgresTableCounts(url, tables);
}
