import { ensureRoles } from '../features/roles';
import type { DatabaseOptions } from '../platform/db/client';
import { prepareDatabase } from '../platform/db/prepare';

/** The server's database, brought up to date: pending migrations applied, the roles in place. */
export function prepareAppDatabase(url: string, options: DatabaseOptions = {}) {
  return prepareDatabase(url, { ...options, seed: ensureRoles });
}
