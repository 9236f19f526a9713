import { ensureRoles } from '../roles/roles.repository';
import { openDatabase, type DatabaseHandle, type DatabaseOptions } from './client';
import { deployMigrations } from './migrate';

/** Brings the database up to date (migrations, then roles) and opens it. */
export async function prepareDatabase(url: string, options: DatabaseOptions = {}): Promise<DatabaseHandle & { applied: string[] }> {
  const { applied } = await deployMigrations(url);
  const handle = openDatabase(url, options);
  await ensureRoles(handle.db);
  return { ...handle, applied };
}
