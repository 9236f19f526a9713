import { rmSync } from 'node:fs';
import { Client } from 'pg';

import { postgresBaseUrl, testDbKind } from './test-env';

export default async function globalTeardown(): Promise<void> {
  if (process.env.TEST_TMP_DIR) rmSync(process.env.TEST_TMP_DIR, { recursive: true, force: true });
  if (testDbKind() === 'postgres' && process.env.TEST_PG_TEMPLATE) {
    const admin = new Client({ connectionString: postgresBaseUrl() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${process.env.TEST_PG_TEMPLATE}`);
    await admin.end();
  }
}
