import { ensureRoles } from '../roles/roles.repository';
import { createDatabase, tuneDatabase, type Database } from './client';
import { deployMigrations } from './migrate';

/** Brings the database up to date (migrations, then roles) and returns a client for it. */
export async function prepareDatabase(url: string): Promise<{ db: Database; applied: string[] }> {
  const { applied } = await deployMigrations(url);
  const db = createDatabase(url);
  await tuneDatabase(db, url);
  await ensureRoles(db);
  return { db, applied };
}
