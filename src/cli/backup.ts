// `npm run backup -- --to DIR`: a consistent backup of the server while it serves — the database
// (SQLite: the online backup API; PostgreSQL: pg_dump), the image files (hard links on the same
// filesystem, else copies; on S3 their keys and ETags, or the objects with --with-files) and a
// manifest.json tying every image row to its files by SHA-256. See docs/backup.md.
// (a production install runs the same with: node dist/cli/backup.js --to DIR)
//   --to DIR        a new or empty folder
//   --copy          copy the files even where hard links would do
//   --with-files    S3: download every object into the backup
//   --pg-bin DIR    the folder of pg_dump, when it is not on PATH
//   --json          the summary as JSON
// Exit codes: 0 done, 1 failed (the folder is left empty), 2 wrong arguments.
import { takeBackup } from '../app/backup/take-backup';
import { loadConfig } from '../shared/config';
import { commandLine, usageError } from './args';

const USAGE = 'npm run backup -- --to DIR [--copy] [--with-files] [--pg-bin DIR] [--json]';

async function main() {
  const values = commandLine(
    {
      to: { type: 'string' },
      copy: { type: 'boolean', default: false },
      'with-files': { type: 'boolean', default: false },
      'pg-bin': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (!values.to) usageError(USAGE, '--to DIR is required');
  const config = loadConfig();
  const log = (line: string) => console.error(line);
  const summary = await takeBackup(config, {
    to: values.to,
    copy: values.copy,
    withFiles: values['with-files'],
    pgBin: values['pg-bin'],
    log: values.json ? undefined : log,
  });
  if (values.json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  const how = (['linked', 'copied', 'downloaded', 'listed'] as const)
    .filter((name) => summary[name] > 0)
    .map((name) => `${summary[name]} ${name}`);
  console.log(
    `backup written to ${summary.dir}: ${summary.users} users, ${summary.images} images, ${summary.files} files ` +
      `(${how.join(', ') || 'none'}; ${(summary.bytes / 1e6).toFixed(1)} MB) in ${(summary.ms / 1000).toFixed(1)} s`,
  );
  if (summary.variantsMissing > 0) {
    console.log(
      `note: ${summary.variantsMissing} images lacked a thumbnail or preview; the storage audit makes them again after a restore`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`backup failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
