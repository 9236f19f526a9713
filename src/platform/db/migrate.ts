import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Client } from 'pg';

import { packagePath } from '../../shared/assets';
import { isSqliteUrl, sqliteFilePath } from './client';

export type ProviderFolder = 'sqlite' | 'postgres';

export function migrationsFolder(provider: ProviderFolder): string {
  return packagePath('prisma', provider, 'migrations');
}

export type Migration = { name: string; sql: string; checksum: string };

/**
 * The migrations for a database URL's provider, oldest first, as Prisma's CLI lays them out.
 * Throws when there are none: a server that cannot find its migrations must not start on an
 * empty database.
 */
export function loadMigrations(url: string): Migration[] {
  const folder = migrationsFolder(isSqliteUrl(url) ? 'sqlite' : 'postgres');
  const names = existsSync(folder)
    ? readdirSync(folder, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && existsSync(join(folder, entry.name, 'migration.sql')))
        .map((entry) => entry.name)
        .sort()
    : [];
  if (names.length === 0) throw new Error(`No database migrations found in ${folder}`);
  return names.map((name) => {
    const sql = readFileSync(join(folder, name, 'migration.sql'), 'utf8');
    return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

type AppliedRow = { migration_name: string; checksum: string; finished_at: unknown; rolled_back_at: unknown };

/** Refuses to go on over a failed migration or one whose file changed after it was applied. */
function pending(migrations: Migration[], applied: AppliedRow[]): Migration[] {
  const live = applied.filter((row) => !row.rolled_back_at);
  const failed = live.find((row) => !row.finished_at);
  if (failed) throw new Error(`migration ${failed.migration_name} failed earlier; resolve it before starting`);
  const byName = new Map(live.map((row) => [row.migration_name, row]));
  for (const migration of migrations) {
    const row = byName.get(migration.name);
    if (row && row.checksum !== migration.checksum) {
      throw new Error(`migration ${migration.name} was changed after it was applied`);
    }
  }
  return migrations.filter((migration) => !byName.has(migration.name));
}

const SQLITE_HISTORY = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

const POSTGRES_HISTORY = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** The same lock id Prisma's migrate uses, so this and `prisma migrate deploy` never interleave. */
const POSTGRES_LOCK = 72707369;

function deploySqlite(url: string, migrations: Migration[]): string[] {
  const path = sqliteFilePath(url);
  mkdirSync(dirname(path), { recursive: true });
  const db = new Sqlite(path);
  try {
    db.pragma('busy_timeout = 10000');
    // Table rebuilds drop and re-create tables: with foreign keys on, that would cascade deletes.
    // The pragma is ignored inside a transaction, so it is set here, and checked before commit.
    db.pragma('foreign_keys = OFF');
    db.exec(SQLITE_HISTORY);
    const todo = db.transaction(() => {
      const applied = db
        .prepare('SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations')
        .all() as AppliedRow[];
      const list = pending(migrations, applied);
      const record = db.prepare(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES (?, ?, ?, ?, ?, 1)`,
      );
      for (const migration of list) {
        const started = Date.now();
        db.exec(migration.sql);
        record.run(randomUUID(), migration.checksum, migration.name, started, Date.now());
      }
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) throw new Error(`migrations left ${broken.length} rows with broken foreign keys`);
      return list.map((migration) => migration.name);
    });
    return todo.immediate();
  } finally {
    db.close();
  }
}

async function deployPostgres(url: string, migrations: Migration[]): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [POSTGRES_LOCK]);
    await client.query(POSTGRES_HISTORY);
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations',
    );
    const list = pending(migrations, rows);
    for (const migration of list) {
      const id = randomUUID();
      await client.query('BEGIN');
      try {
        await client.query(
          'INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())',
          [id, migration.checksum, migration.name],
        );
        await client.query(migration.sql);
        await client.query('UPDATE _prisma_migrations SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [
          id,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
    return list.map((migration) => migration.name);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [POSTGRES_LOCK]).catch(() => undefined);
    await client.end();
  }
}

async function readHistory(url: string): Promise<AppliedRow[]> {
  const query = 'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations';
  if (isSqliteUrl(url)) {
    const path = sqliteFilePath(url);
    if (!existsSync(path)) return [];
    const db = new Sqlite(path, { readonly: true });
    try {
      const table = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'")
        .get();
      return table ? (db.prepare(query).all() as AppliedRow[]) : [];
    } finally {
      db.close();
    }
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ exists: boolean }>(
      "SELECT to_regclass('_prisma_migrations') IS NOT NULL AS exists",
    );
    return rows[0].exists ? (await client.query<AppliedRow>(query)).rows : [];
  } finally {
    await client.end();
  }
}

/** Which migrations are applied and which are pending; throws as deploy would on a bad history. */
export async function migrationStatus(url: string): Promise<{ applied: string[]; pending: string[] }> {
  const migrations = loadMigrations(url);
  const history = await readHistory(url);
  const todo = pending(migrations, history);
  return {
    applied: history.filter((row) => row.finished_at && !row.rolled_back_at).map((row) => row.migration_name),
    pending: todo.map((migration) => migration.name),
  };
}

/**
 * Applies the pending migrations of `prisma/<provider>/migrations`, each in its own transaction,
 * recorded in `_prisma_migrations` exactly as `prisma migrate deploy` records them.
 */
export async function deployMigrations(url: string, migrations = loadMigrations(url)): Promise<{ applied: string[] }> {
  const applied = isSqliteUrl(url) ? deploySqlite(url, migrations) : await deployPostgres(url, migrations);
  return { applied };
}
