import type { Database } from '../../platform/db/client';

/** An event as recorded (the actor and target kept as plain values, so they outlive what they name). */
export type AuditEventRow = {
  action: string;
  outcome: 'ok' | 'failed';
  actor: { id: number; username: string } | null;
  target: { type: string; id: number } | null;
  detail: string | null;
  address: string | null;
};

export function insertEvent(db: Database, event: AuditEventRow) {
  return db.auditEvent.create({
    data: {
      action: event.action,
      outcome: event.outcome,
      actorId: event.actor?.id ?? null,
      actorName: event.actor?.username ?? null,
      targetType: event.target?.type ?? null,
      targetId: event.target?.id ?? null,
      address: event.address,
      detail: event.detail,
    },
    select: { id: true },
  });
}

export type EventFilter = { action?: string; actorId?: number; outcome?: 'ok' | 'failed'; since?: Date; until?: Date };

/** Events newest first, `limit + 1` of them from before `beforeId` (the page's cursor). */
export function listEvents(db: Database, filter: EventFilter, page: { limit: number; beforeId?: number }) {
  return db.auditEvent.findMany({
    where: {
      ...(filter.action ? { action: filter.action } : {}),
      ...(filter.actorId ? { actorId: filter.actorId } : {}),
      ...(filter.outcome ? { outcome: filter.outcome } : {}),
      ...(filter.since || filter.until
        ? { at: { ...(filter.since ? { gte: filter.since } : {}), ...(filter.until ? { lt: filter.until } : {}) } }
        : {}),
      ...(page.beforeId ? { id: { lt: page.beforeId } } : {}),
    },
    orderBy: { id: 'desc' },
    take: page.limit + 1,
  });
}
