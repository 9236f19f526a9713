import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Sqlite from 'better-sqlite3';

import { sqliteFilePath } from './client';
import type { DatabaseSnapshot } from './snapshot-types';

/** Pages per step of the online backup: all of them, so that the copy is one read transaction. */
const ALL_PAGES = 0x7fffffff;

function fsyncPath(path: string) {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The online backup API into `file`, which is then opened read-only for the queries. */
export async function snapshotSqlite(url: string, file: string): Promise<DatabaseSnapshot> {
  const source = new Sqlite(sqliteFilePath(url), { fileMustExist: true, timeout: 10_000 });
  try {
    await source.backup(file, { progress: () => ALL_PAGES });
  } finally {
    source.close();
  }
  // The copy carries the source's WAL mode: a backup is one self-contained file.
  const writable = new Sqlite(file, { fileMustExist: true });
  writable.pragma('journal_mode = DELETE');
  writable.close();
  fsyncPath(file);
  const copy = new Sqlite(file, { readonly: true, fileMustExist: true });
  return {
    kind: 'sqlite',
    file,
    query: <T>(sql: string) => Promise.resolve(copy.prepare(sql).all() as T[]),
    close: () => Promise.resolve(void copy.close()),
  };
}

const SIDE_FILES = ['-wal', '-shm', '-journal'];

/** Removes the database file and its journals. */
export function clearSqlite(url: string): Promise<void> {
  const path = sqliteFilePath(url);
  for (const suffix of ['', ...SIDE_FILES]) rmSync(`${path}${suffix}`, { force: true });
  return Promise.resolve();
}

/** The snapshot copied next to the database, made durable, then renamed over it (its journals gone first). */
export function restoreSqlite(url: string, file: string): Promise<void> {
  const path = sqliteFilePath(url);
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.restoring`;
  copyFileSync(file, temp);
  fsyncPath(temp);
  for (const suffix of SIDE_FILES) rmSync(`${path}${suffix}`, { force: true });
  renameSync(temp, path);
  fsyncPath(dirname(path));
  return Promise.resolve();
}

export function sqliteTableCounts(url: string, tables: string[]): Promise<Record<string, number>> {
  const path = sqliteFilePath(url);
  if (!existsSync(path)) return Promise.resolve({});
  const db = new Sqlite(path, { fileMustExist: true, timeout: 10_000 });
  try {
    const counts: Record<string, number> = {};
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    for (const table of tables) {
      if (!/^\w+$/.test(table)) throw new Error(`not a table name: ${table}`);
      if (!exists.get(table)) continue;
      counts[table] = (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
    }
    return Promise.resolve(counts);
  } finally {
    db.close();
  }
}
