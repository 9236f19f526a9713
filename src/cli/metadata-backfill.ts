// `npm run metadata:backfill`: reads again the originals of images stored before the metadata
// reader read what it reads now (lens, focal length, aperture, exposure, ISO…), and makes the
// ThumbHash of those that have none. In id order, in batches; each row is marked as it is
// written, so a run stopped anywhere (Ctrl-C) goes on where it stopped. Safe while the server runs.
//   --batch-size N   rows fetched at a time (default 100)
//   --limit N        stop after N rows (the rest stays for the next run)
// Prints a progress line per batch on stderr and the report as JSON; exit code 2 when some
// originals could not be read (run `npm run storage:check`), else 0.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { prepareAppDatabase } from '../app/database';
import { openStorage } from '../app/storage';
import { backfillMetadata } from '../features/images';
import { loadConfig } from '../shared/config';

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new Error(`--${name}: a whole number of 1 or more, not "${value}"`);
  return number;
}

async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { values } = parseArgs({ options: { 'batch-size': { type: 'string' }, limit: { type: 'string' } } });
  const batchSize = positive('batch-size', values['batch-size']) ?? 100;
  const limit = positive('limit', values.limit);
  const config = loadConfig();
  const { db, close } = await prepareAppDatabase(config.databaseUrl);
  const storage = await openStorage(config);
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  try {
    const report = await backfillMetadata(
      { db, storage },
      {
        batchSize,
        limit,
        maxImagePixels: config.maxImagePixels,
        signal: stop.signal,
        onBatch: ({ done, lastId }) => console.error(`${done} images read (last id ${lastId})`),
      },
    );
    console.log(JSON.stringify(report, null, 2));
    process.exitCode = report.failed.length > 0 ? 2 : 0;
  } finally {
    storage.close?.();
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
