// `npm run studio`: Prisma Studio on the configured database (DATABASE_URL, default SQLite file).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(join(root, '.env'))) process.loadEnvFile(join(root, '.env'));
const url = process.env.DATABASE_URL || 'file:./data/gallery.db';
const postgres = /^postgres(ql)?:\/\//.test(url);
// Studio needs an absolute file URL for SQLite.
const studioUrl = postgres ? url : pathToFileURL(resolve(root, url.replace(/^file:/, ''))).href;
const result = spawnSync(
  process.execPath,
  [join(root, 'node_modules/prisma/build/index.js'), 'studio', '--url', studioUrl, ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, CHECKPOINT_DISABLE: '1' },
  },
);
process.exit(result.status ?? 1);
