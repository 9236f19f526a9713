import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

import { buildApp, type App } from '../../src/app/app';
import type { AppDeps } from '../../src/app/deps';
import { openDatabase, type Database } from '../../src/platform/db/client';
import { createDiskStorage } from '../../src/platform/storage/disk-storage';
import type { Storage } from '../../src/platform/storage/storage';
import { loadConfig, type Config } from '../../src/shared/config';
import { createLogger } from '../../src/shared/logger';
import { postgresBaseUrl, testDbKind, withDatabase } from './test-env';

export type TestApp = {
  app: App;
  db: Database;
  config: Config;
  storage: Storage;
  uploadDir: string;
  /** Every file under the upload folder, relative to it (temp files included). */
  files(): string[];
  close(): Promise<void>;
};

export async function freshDatabase(dir: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (testDbKind() === 'sqlite') {
    const path = join(dir, 'test.db');
    copyFileSync(process.env.TEST_SQLITE_TEMPLATE!, path);
    return { url: `file:${path}`, drop: () => Promise.resolve() };
  }
  const name = `gallery_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new Client({ connectionString: postgresBaseUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${process.env.TEST_PG_TEMPLATE}`);
  await admin.end();
  return {
    url: withDatabase(postgresBaseUrl(), name),
    drop: async () => {
      const client = new Client({ connectionString: postgresBaseUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

function listFiles(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(root, relative) : [relative];
  });
}

/**
 * A whole app on its own fresh database and upload folder. `wrap` may put something between the
 * app and its database (e.g. to count queries); `db` stays the plain client. `sameDatabaseAs`: a
 * second app (a second server node) on the database and upload folder of another, with its own
 * connections and caches; close it before the other.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { wrap?: (deps: AppDeps) => AppDeps; sameDatabaseAs?: TestApp } = {},
): Promise<TestApp> {
  const shared = options.sameDatabaseAs;
  const dir = join(process.env.TEST_TMP_DIR!, randomUUID());
  mkdirSync(dir, { recursive: true });
  const database = shared
    ? { url: shared.config.databaseUrl, drop: () => Promise.resolve() }
    : await freshDatabase(dir);
  const uploadDir = shared ? shared.uploadDir : join(dir, 'uploads');
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    UPLOAD_DIR: uploadDir,
    BCRYPT_COST: '4',
    LOG_LEVEL: 'silent',
    VALIDATE_RESPONSES: 'true',
    // Whole test files run on one token; the limit itself is tested with a low value.
    RATE_LIMIT_PER_MINUTE: '100000',
    ...env,
  });
  const { db, reader, changes, close, poolStats } = openDatabase(config.databaseUrl, {
    lockTimeoutMs: config.databaseLockTimeoutMs,
  });
  const storage = await createDiskStorage(uploadDir);
  const deps: AppDeps = { config, db, reader, changes, storage, logger: createLogger(config.logLevel), poolStats };
  const app = buildApp(options.wrap ? options.wrap(deps) : deps);
  await app.locals.ready;
  return {
    app,
    db,
    config,
    storage,
    uploadDir,
    files: () => listFiles(uploadDir),
    async close() {
      await close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
