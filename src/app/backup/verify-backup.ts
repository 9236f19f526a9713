import { join, resolve } from 'node:path';

import { hashFile, inParallel } from './file-io';
import { backupFilePath, readManifest } from './manifest';

export type BackupVerification = {
  from: string;
  /** Files of the backup read and hashed (none for a bucket the backup only listed). */
  checked: number;
  database: 'ok' | 'damaged' | 'missing';
  missing: string[];
  damaged: string[];
};

const AT_ONCE = 16;

/**
 * Reads every file of the backup in `from` and compares its size and SHA-256 with the manifest,
 * the database file included: what a restore would refuse, found without restoring.
 */
export async function verifyBackup(from: string): Promise<BackupVerification> {
  const dir = resolve(from);
  const manifest = readManifest(dir);
  const report: BackupVerification = { from: dir, checked: 0, database: 'ok', missing: [], damaged: [] };
  try {
    const database = await hashFile(join(dir, manifest.database.file));
    if (database.sha256 !== manifest.database.sha256 || database.size !== manifest.database.size)
      report.database = 'damaged';
  } catch {
    report.database = 'missing';
  }
  if (manifest.storage.files === 'included') {
    await inParallel(
      manifest.images.flatMap((image) => image.files),
      AT_ONCE,
      async (file) => {
        try {
          const hashed = await hashFile(backupFilePath(dir, file.key));
          report.checked += 1;
          if (hashed.sha256 !== file.sha256 || hashed.size !== file.size) report.damaged.push(file.key);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          report.missing.push(file.key);
        }
      },
    );
  }
  report.missing.sort();
  report.damaged.sort();
  return report;
}
