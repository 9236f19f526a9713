// `npm run storage:check`: compares the stored image files with the database, as the server does
// when it starts (RECONCILE_ON_START), removes resumable uploads past their expiry, and prints
// what it found as JSON.
//   --repair   also delete rows whose original file is missing, and stored files no row refers to
//   --verify   also read every original and compare its SHA-256 with the database (slow)
// Run it while the server is stopped, or at least while nobody uploads.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { prepareAppDatabase } from '../app/database';
import { openStorage } from '../app/storage';
import { checkStorage, createImageFiles } from '../features/images';
import { createUploadSweeper } from '../features/uploads';
import { loadConfig } from '../shared/config';
import { createLogger } from '../shared/logger';

async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { values } = parseArgs({
    options: { repair: { type: 'boolean', default: false }, verify: { type: 'boolean', default: false } },
  });
  const config = loadConfig();
  const logger = createLogger('error');
  const { db, close } = await prepareAppDatabase(config.databaseUrl);
  const storage = await openStorage(config);
  try {
    const report = await checkStorage(
      { db, storage, files: createImageFiles({ db, storage, logger, config }), logger },
      {
        repair: values.repair,
        verifyHashes: values.verify,
        tempMaxAgeMs: config.uploadTempMaxAgeMs,
        maxImagePixels: config.maxImagePixels,
      },
    );
    const resumable = createUploadSweeper({ db, config, logger });
    const resumableUploadsRemoved = await resumable.sweep().finally(() => resumable.close());
    console.log(JSON.stringify({ ...report, resumableUploadsRemoved }, null, 2));
    const problems = report.rowsWithoutFile.length + report.damaged.length + report.filesWithoutRow.length;
    process.exitCode = problems > 0 && !values.repair ? 2 : 0;
  } finally {
    storage.close?.();
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
