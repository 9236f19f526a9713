import type { Database } from '../../platform/db/client';
import { ROLES } from '../../shared/permissions';

/** Creates the four roles if missing and keeps their labels current. Safe to run on every start. */
export async function ensureRoles(db: Database): Promise<void> {
  for (const role of ROLES) {
    await db.role.upsert({ where: { name: role.name }, update: { label: role.label }, create: role });
  }
}

export function listRoles(db: Database) {
  return db.role.findMany({ orderBy: { id: 'asc' }, select: { name: true, label: true } });
}

export function findRoleByName(db: Database, name: string) {
  return db.role.findUnique({ where: { name } });
}
