// `npm run restore -- --from DIR`: restores a backup made by `npm run backup` into the database and
// storage this server is configured with (DATABASE_URL, UPLOAD_DIR or the S3_* settings), with the
// server stopped. Every file is checked against its SHA-256 as it is restored; migrations newer
// than the backup are applied. A target that holds users, galleries, images or files is refused
// unless --force (which replaces what it holds). See docs/backup.md.
// (a production install runs the same with: node dist/cli/restore.js --from DIR)
//   --from DIR      the backup's folder (the one holding manifest.json)
//   --force         replace a target that is not empty
//   --pg-bin DIR    the folder of pg_restore, when it is not on PATH
//   --json          the summary as JSON
// Exit codes: 0 restored, 1 failed, 2 wrong arguments, 3 refused (nothing was written).
import { restoreBackup, RestoreRefused } from '../app/backup/restore';
import { loadConfig } from '../shared/config';
import { commandLine, usageError } from './args';

const USAGE = 'npm run restore -- --from DIR [--force] [--pg-bin DIR] [--json]';

async function main() {
  const values = commandLine(
    {
      from: { type: 'string' },
      force: { type: 'boolean', default: false },
      'pg-bin': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (!values.from) usageError(USAGE, '--from DIR is required');
  const summary = await restoreBackup(loadConfig(), {
    from: values.from,
    force: values.force,
    pgBin: values['pg-bin'],
    log: values.json ? undefined : (line) => console.error(line),
  });
  if (values.json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  const migrations = summary.database.migrationsApplied;
  console.log(
    `restored the backup of ${summary.createdAt}: ${summary.users} users, ${summary.galleries} galleries, ` +
      `${summary.images} images; files ${summary.files.copied} copied, ${summary.files.kept} already there` +
      (summary.files.removed ? `, ${summary.files.removed} others removed` : '') +
      (migrations.length ? `; migrations applied: ${migrations.join(', ')}` : '') +
      ` (${(summary.ms / 1000).toFixed(1)} s)`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(
      `restore ${error instanceof RestoreRefused ? 'refused' : 'failed'}: ${String(error instanceof Error ? error.message : error)}`,
    );
    process.exit(error instanceof RestoreRefused ? 3 : 1);
  },
);
