import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

import { ensureRoles } from '../../src/features/roles';
import { openDatabase } from '../../src/platform/db/client';
import { deployMigrations } from '../../src/platform/db/migrate';
import { postgresBaseUrl, testDbKind, withDatabase } from './test-env';

/**
 * Brings the compiled server up to date (the process tests start what `npm start` runs), then builds
 * one migrated, seeded template database; each test file gets a fresh copy of it.
 */
export default async function globalSetup(): Promise<void> {
  // The fast loop builds nothing but the Prisma clients (when the models changed): its tests run from the sources.
  const build = process.env.TEST_FAST === '1' ? 'generate.mjs' : 'build.mjs';
  execFileSync(process.execPath, [join(__dirname, '../../scripts', build)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const dir = mkdtempSync(join(tmpdir(), 'gallery-test-'));
  process.env.TEST_TMP_DIR = dir;
  let url: string;
  if (testDbKind() === 'sqlite') {
    url = `file:${join(dir, 'template.db')}`;
    process.env.TEST_SQLITE_TEMPLATE = join(dir, 'template.db');
  } else {
    const name = `gallery_template_${process.pid}`;
    const admin = new Client({ connectionString: postgresBaseUrl() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    url = withDatabase(postgresBaseUrl(), name);
    process.env.TEST_PG_TEMPLATE = name;
  }
  await deployMigrations(url);
  const database = openDatabase(url);
  await ensureRoles(database.db);
  await database.close();
}
