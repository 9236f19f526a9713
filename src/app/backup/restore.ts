import { join, resolve } from 'node:path';

import { createImageFiles, recoverStorage } from '../../features/images';
import { loadMigrations } from '../../platform/db/migrate';
import { clearDatabase, databaseKind, restoreDatabaseSnapshot, tableRowCounts } from '../../platform/db/snapshot';
import type { Storage } from '../../platform/storage/storage';
import type { Config } from '../../shared/config';
import { createLogger } from '../../shared/logger';
import { prepareAppDatabase } from '../database';
import { openStorage } from '../storage';
import { forgetWorkInProgress, liveCounts } from './backup-rows';
import { hashFile } from './file-io';
import { readManifest, type Manifest } from './manifest';
import { firstStoredKey, removeOtherFiles, restoreFiles, type RestoreFilesResult } from './restore-files';

export type RestoreOptions = {
  from: string;
  /** Replace what the target database and storage hold. */
  force?: boolean;
  /** Folder of pg_restore (PostgreSQL), when it is not on PATH. */
  pgBin?: string;
  log?: (line: string) => void;
};

export type RestoreSummary = {
  from: string;
  createdAt: string;
  database: { kind: 'sqlite' | 'postgres'; migrationsApplied: string[] };
  users: number;
  galleries: number;
  images: number;
  files: Omit<RestoreFilesResult, 'missing' | 'damaged'> & { removed: number };
  /** Work in progress when the backup was taken, whose bytes it does not hold: dropped. */
  forgotten: { stagedNotes: number; resumableUploads: number };
  ms: number;
};

/** The restore was refused before anything was written (a non-empty target, a backup this server cannot take). */
export class RestoreRefused extends Error {}

/** The tables whose rows make a target not empty, and how a message names them. */
const TABLE_WORDS: Record<string, string> = { User: 'users', Gallery: 'galleries', Image: 'images' };
const USER_TABLES = Object.keys(TABLE_WORDS);

/** What the backup must agree with before anything is touched: database kind, migrations known, database file intact. */
async function checkBackup(config: Config, manifest: Manifest, from: string) {
  const kind = databaseKind(config.databaseUrl);
  if (manifest.database.kind !== kind) {
    throw new RestoreRefused(
      `this backup holds a ${manifest.database.kind} database and DATABASE_URL names a ${kind} one: restore into the same kind`,
    );
  }
  const known = new Set(loadMigrations(config.databaseUrl).map((migration) => migration.name));
  const unknown = manifest.database.migrations.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new RestoreRefused(
      `the backup was made by a newer version (${manifest.app.version}; migrations unknown here: ${unknown.join(', ')}): ` +
        'restore it with that version or a later one',
    );
  }
  const file = join(from, manifest.database.file);
  const hashed = await hashFile(file).catch((error: unknown) => {
    throw new RestoreRefused(`the backup's database file cannot be read: ${String(error)}`);
  });
  if (hashed.sha256 !== manifest.database.sha256 || hashed.size !== manifest.database.size) {
    throw new RestoreRefused(`the backup's database file ${file} differs from its manifest (damaged or changed)`);
  }
  return file;
}

/** Refuses a target that holds users, galleries, images or files, unless forced. */
async function checkTarget(config: Config, storage: Storage, manifest: Manifest, force: boolean) {
  const counts = await tableRowCounts(config.databaseUrl, USER_TABLES);
  const rows = Object.entries(counts).filter(([, n]) => n > 0);
  // A bucket the backup only listed is expected to hold the files: it is not a target to empty.
  const stored = manifest.storage.files === 'listed' ? null : await firstStoredKey(storage);
  if ((rows.length > 0 || stored) && !force) {
    const what = [
      ...rows.map(([table, n]) => `${TABLE_WORDS[table]}: ${n}`),
      ...(stored ? [`stored files (${stored}, …)`] : []),
    ];
    throw new RestoreRefused(
      `the target is not empty (${what.join(', ')}): restore into an empty database and storage, ` +
        'or pass --force to replace what they hold',
    );
  }
  return rows.length > 0 || stored !== null;
}

function listed(keys: string[]) {
  return keys.slice(0, 10).join(', ') + (keys.length > 10 ? ', …' : '');
}

/** The restored database: newer migrations applied, roles in place, work in progress forgotten, begun deletes finished. */
async function settleDatabase(config: Config, storage: Storage) {
  const { db, close, applied } = await prepareAppDatabase(config.databaseUrl);
  try {
    const forgotten = await forgetWorkInProgress(db);
    const logger = createLogger('error');
    await recoverStorage(
      { db, storage, files: createImageFiles({ db, storage, logger, config }), logger },
      { tempMaxAgeMs: config.uploadTempMaxAgeMs, maxImagePixels: config.maxImagePixels },
    );
    return { applied, forgotten, counts: await liveCounts(db) };
  } finally {
    await close();
  }
}

/**
 * Restores the backup in `options.from` into the database and storage the configuration names.
 * Files first, each checked against its SHA-256 (any missing or damaged: nothing else is written),
 * then the database, brought up to this version's migrations. Refuses a target that is not empty
 * unless forced; then files the backup does not name are removed and the database replaced.
 */
export async function restoreBackup(config: Config, options: RestoreOptions): Promise<RestoreSummary> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const from = resolve(options.from);
  const manifest = readManifest(from);
  const databaseFile = await checkBackup(config, manifest, from);
  const storage = await openStorage(config);
  try {
    const occupied = await checkTarget(config, storage, manifest, Boolean(options.force));
    const files = await restoreFiles(storage, manifest, from, occupied);
    if (files.missing.length > 0 || files.damaged.length > 0) {
      throw new Error(
        `${files.missing.length} files missing and ${files.damaged.length} damaged ` +
          `(${listed([...files.missing, ...files.damaged])}); the database was not restored`,
      );
    }
    log(`files: ${files.copied} copied, ${files.kept} already there, each checked against its SHA-256`);
    const removed = options.force ? await removeOtherFiles(storage, manifest) : 0;
    if (occupied) await clearDatabase(config.databaseUrl);
    await restoreDatabaseSnapshot(config.databaseUrl, databaseFile, { binDir: options.pgBin });
    const settled = await settleDatabase(config, storage);
    const expected = manifest.counts;
    if (
      ['users', 'galleries', 'images'].some((name) => settled.counts[name as 'users'] !== expected[name as 'users'])
    ) {
      throw new Error(
        `the restored database holds ${JSON.stringify(settled.counts)}, the backup's manifest says ` +
          `${JSON.stringify({ users: expected.users, galleries: expected.galleries, images: expected.images })}`,
      );
    }
    return {
      from,
      createdAt: manifest.createdAt,
      database: { kind: manifest.database.kind, migrationsApplied: settled.applied },
      ...settled.counts,
      files: { copied: files.copied, kept: files.kept, bytes: files.bytes, removed },
      forgotten: settled.forgotten,
      ms: Math.round(performance.now() - started),
    };
  } finally {
    storage.close?.();
  }
}
