import { openDatabase, type Database, type DatabaseHandle, type DatabaseOptions } from './client';
import { deployMigrations } from './migrate';

/**
 * Brings the database up to date (pending migrations), opens it, and runs `seed` (rows the server
 * needs, e.g. the roles; safe to run on every start).
 */
export async function prepareDatabase(
  url: string,
  options: DatabaseOptions & { seed?: (db: Database) => Promise<void> } = {},
): Promise<DatabaseHandle & { applied: string[] }> {
  const { applied } = await deployMigrations(url);
  const handle = openDatabase(url, options);
  await options.seed?.(handle.db);
  return { ...handle, applied };
}
