// `npm run verify`: re-reads every stored original and compares its SHA-256 and size with its row,
// and reports rows without their file and files without a row — the storage check's audit with
// hashes, safe while the server serves (rows changed since it began are left out, findings looked at
// twice, nothing deleted; missing thumbnails and previews are made again).
// `npm run verify -- --backup DIR`: the same for a backup: every file of it (and its database file)
// against its manifest, without restoring it.
// (a production install runs the same with: node dist/cli/verify.js [--backup DIR])
// Output: a JSON report. Exit codes: 0 no difference, 2 differences found, 1 failed, 3 another
// process held the storage check's lease for a minute (try again).
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { verifyBackup } from '../app/backup/verify-backup';
import { openStorage } from '../app/storage';
import { createImageFiles, reconcileWhileServing } from '../features/images';
import { openDatabase } from '../platform/db/client';
import { loadConfig } from '../shared/config';
import { createLogger } from '../shared/logger';

/** How long to wait for the storage check's lease (a server's start-up audit may hold it). */
const LEASE_WAIT_MS = 60_000;

async function verifyBackupFolder(dir: string): Promise<number> {
  const report = await verifyBackup(dir);
  console.log(JSON.stringify(report, null, 2));
  return report.database !== 'ok' || report.missing.length + report.damaged.length > 0 ? 2 : 0;
}

async function verifyStorage(): Promise<number> {
  const config = loadConfig();
  const logger = createLogger('error');
  const { db, close } = openDatabase(config.databaseUrl);
  const storage = await openStorage(config);
  try {
    const deps = { db, storage, files: createImageFiles({ db, storage, logger, config }), logger };
    const options = {
      tempMaxAgeMs: config.uploadTempMaxAgeMs,
      maxImagePixels: config.maxImagePixels,
      verifyHashes: true,
    };
    const deadline = Date.now() + LEASE_WAIT_MS;
    for (;;) {
      const startedAt = new Date();
      const report = await reconcileWhileServing(deps, options, { changedBefore: startedAt });
      if (report.sharedPartSkipped && Date.now() < deadline) {
        await new Promise((done) => setTimeout(done, 2000));
        continue;
      }
      const images = await db.image.count({ where: { deleting: false, updatedAt: { lt: startedAt } } });
      const { rowsWithoutFile, damaged, filesWithoutRow, variantsRebuilt, sharedPartSkipped } = report;
      console.log(
        JSON.stringify(
          {
            images,
            rowsWithoutFile,
            damaged,
            filesWithoutRow,
            variantsRebuilt,
            ...(sharedPartSkipped ? { sharedPartSkipped } : {}),
          },
          null,
          2,
        ),
      );
      if (sharedPartSkipped) return 3;
      return rowsWithoutFile.length + damaged.length + filesWithoutRow.length > 0 ? 2 : 0;
    }
  } finally {
    storage.close?.();
    await close();
  }
}

async function main(): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { values } = parseArgs({ options: { backup: { type: 'string' } } });
  return values.backup ? verifyBackupFolder(values.backup) : verifyStorage();
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`verify failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
