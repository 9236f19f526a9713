import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { openDatabase, type Database } from '../../platform/db/client';
import { databaseKind, snapshotFileName, takeDatabaseSnapshot } from '../../platform/db/snapshot';
import type { Storage } from '../../platform/storage/storage';
import { packageInfo } from '../../shared/assets';
import type { Config } from '../../shared/config';
import { openStorage } from '../storage';
import { createFileExporter, type ExportResult, type ExportStats } from './backup-files';
import { snapshotFacts, snapshotImages, stillLive, type SnapshotFacts } from './backup-rows';
import { hashFile } from './file-io';
import { writeManifest, type Manifest } from './manifest';

export type BackupOptions = {
  /** The folder to write: new, or empty. */
  to: string;
  /** Disk: copy the files rather than hard-link them. */
  copy?: boolean;
  /** S3: download every object into the backup, rather than list its key, size and ETag. */
  withFiles?: boolean;
  /** Folder of pg_dump (PostgreSQL), when it is not on PATH. */
  pgBin?: string;
  /** Snapshots taken at most, when files of the one before were retired meanwhile (5). */
  attempts?: number;
  log?: (line: string) => void;
  /** Called once each snapshot is taken, before its files are saved (progress; tests change the library there). */
  onSnapshot?: (snapshot: { attempt: number; images: number }) => Promise<void> | void;
};

export type BackupSummary = ExportStats & {
  dir: string;
  database: { kind: 'sqlite' | 'postgres'; file: string; size: number; ms: number };
  users: number;
  images: number;
  files: number;
  variantsMissing: number;
  attempts: number;
  ms: number;
};

/** A backup that could not be made as it should: nothing usable was left in the folder. */
export class BackupFailed extends Error {}

function prepareFolder(dir: string) {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new BackupFailed(`${dir} is not a folder`);
    if (readdirSync(dir).length > 0) {
      throw new BackupFailed(`${dir} is not empty: write each backup to a new folder (e.g. one named by the date)`);
    }
  }
  mkdirSync(dir, { recursive: true });
}

function emptyFolder(dir: string) {
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
}

const ids = (list: number[]) => list.slice(0, 20).join(', ') + (list.length > 20 ? ', …' : '');

type Attempt = { config: Config; storage: Storage; db: Database; dir: string; options: BackupOptions; number: number };

/**
 * Files gone since the snapshot: those of images deleted or given a new file meanwhile (retired:
 * the snapshot must be taken again), and those of images still live (missing from the storage:
 * the backup fails, or for a variant, the manifest says so).
 */
async function sortVanished(db: Database, exported: ExportResult) {
  const retired: number[] = [];
  const missing: number[] = [];
  const variantsMissing: number[] = [];
  for (const { image, original } of exported.vanished) {
    if (!(await stillLive(db, image))) retired.push(image.id);
    else (original ? missing : variantsMissing).push(image.id);
  }
  if (missing.length > 0) {
    throw new BackupFailed(
      `the original files of ${missing.length} images are missing from the storage (ids ${ids(missing)}): ` +
        'run `npm run storage:check` to see them and decide (`--repair` deletes such rows), then back up again',
    );
  }
  if (exported.damaged.length > 0) {
    const list = exported.damaged.slice(0, 20).map(({ image, reason }) => `${image.id}: ${reason}`);
    throw new BackupFailed(
      `${exported.damaged.length} originals differ from their rows (${list.join('; ')}): run \`npm run verify\``,
    );
  }
  return { retired, variantsMissing: variantsMissing.sort((a, b) => a - b) };
}

function manifestOf(
  { config, storage, options }: Attempt,
  facts: SnapshotFacts,
  database: { file: string; size: number; sha256: string },
  exported: ExportResult,
  variantsMissing: number[],
): Manifest {
  const migration = facts.migrations.at(-1);
  if (!migration) throw new BackupFailed('the database has no migrations applied: nothing to back up');
  const kind = databaseKind(config.databaseUrl);
  const files = exported.images.flatMap((image) => image.files);
  return {
    format: 'gallery-server-backup',
    formatVersion: 1,
    createdAt: new Date().toISOString(),
    app: packageInfo(),
    database: {
      kind,
      file: snapshotFileName(kind),
      size: database.size,
      sha256: database.sha256,
      migration,
      migrations: facts.migrations,
    },
    storage: {
      kind: config.storage.kind,
      files: storage.localPaths || options.withFiles ? 'included' : 'listed',
      ...(config.storage.kind === 's3' ? { bucket: config.storage.bucket, prefix: config.storage.prefix } : {}),
    },
    counts: {
      ...facts.counts,
      files: files.length,
      bytes: files.reduce((sum, file) => sum + file.size, 0),
    },
    variantsMissing,
    images: exported.images,
  };
}

/** One snapshot and its files: the summary, or how many files were retired meanwhile (take it again). */
async function attemptBackup(attempt: Attempt): Promise<{ summary: BackupSummary } | { retired: number }> {
  const { config, storage, db, dir, options } = attempt;
  const log = options.log ?? (() => undefined);
  const kind = databaseKind(config.databaseUrl);
  const started = performance.now();
  const snapshot = await takeDatabaseSnapshot(config.databaseUrl, join(dir, snapshotFileName(kind)), {
    binDir: options.pgBin,
  });
  const [images, facts] = await Promise.all([snapshotImages(snapshot), snapshotFacts(snapshot)]).finally(() =>
    snapshot.close(),
  );
  const database = { file: snapshot.file, ...(await hashFile(snapshot.file)) };
  const databaseMs = performance.now() - started;
  log(`database (${kind}): ${(database.size / 1e6).toFixed(1)} MB in ${(databaseMs / 1000).toFixed(1)} s`);
  await options.onSnapshot?.({ attempt: attempt.number, images: images.length });

  const exporter = createFileExporter(storage, dir, {
    copy: Boolean(options.copy),
    withFiles: Boolean(options.withFiles),
  });
  const filesStarted = performance.now();
  const exported = await exporter.exportAll(images);
  const counted = (['linked', 'copied', 'downloaded', 'listed'] as const).filter((how) => exported.stats[how] > 0);
  log(
    `files: ${counted.map((how) => `${exported.stats[how]} ${how}`).join(', ') || 'none'} ` +
      `in ${((performance.now() - filesStarted) / 1000).toFixed(1)} s`,
  );
  const { retired, variantsMissing } = await sortVanished(db, exported);
  if (retired.length > 0) return { retired: retired.length };
  const manifest = manifestOf(attempt, facts, database, exported, variantsMissing);
  writeManifest(dir, manifest);
  return {
    summary: {
      dir,
      database: { kind, file: database.file, size: database.size, ms: Math.round(databaseMs) },
      ...exported.stats,
      users: manifest.counts.users,
      images: manifest.counts.images,
      files: manifest.counts.files,
      variantsMissing: variantsMissing.length,
      attempts: 1,
      ms: 0,
    },
  };
}

/**
 * A consistent backup of the running server into `options.to`: the database first (a snapshot),
 * then the files its live image rows name. Files written after the snapshot are not needed; a
 * file retired after it (its image deleted or given a new file) makes the backup start again from
 * a new snapshot; an original missing while its row is live makes it fail. `manifest.json` is
 * written last, so a folder without it is not a backup. On failure the folder is emptied.
 */
export async function takeBackup(config: Config, options: BackupOptions): Promise<BackupSummary> {
  const dir = resolve(options.to);
  prepareFolder(dir);
  const started = performance.now();
  const storage = await openStorage(config);
  const live = openDatabase(config.databaseUrl);
  const attempts = options.attempts ?? 5;
  try {
    for (let attempt = 1; ; attempt++) {
      const outcome = await attemptBackup({ config, storage, db: live.db, dir, options, number: attempt });
      if ('summary' in outcome) {
        return { ...outcome.summary, attempts: attempt, ms: Math.round(performance.now() - started) };
      }
      if (attempt >= attempts) {
        throw new BackupFailed(
          `files of images deleted or changed after the snapshot were gone before they were saved, ${attempts} times in a row: ` +
            'try again when the server is less busy',
        );
      }
      options.log?.(
        `${outcome.retired} images were deleted or given a new file while their files were saved: taking a new snapshot`,
      );
      emptyFolder(dir);
    }
  } catch (error) {
    emptyFolder(dir);
    throw error;
  } finally {
    storage.close?.();
    await live.close();
  }
}
