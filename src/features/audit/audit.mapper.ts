import type { z } from 'zod';

import type { auditReply } from './audit.schemas';

export type AuditRow = {
  id: number;
  at: Date;
  action: string;
  outcome: string;
  actorId: number | null;
  actorName: string | null;
  targetType: string | null;
  targetId: number | null;
  address: string | null;
  detail: string | null;
};

/** An event as the API shows it. */
export function toAuditJson(row: AuditRow): z.infer<typeof auditReply> {
  return {
    id: row.id,
    at: row.at.toISOString(),
    action: row.action,
    outcome: row.outcome === 'failed' ? 'failed' : 'ok',
    actor: row.actorId !== null ? { id: row.actorId, username: row.actorName ?? '' } : null,
    target: row.targetType && row.targetId !== null ? { type: row.targetType, id: row.targetId } : null,
    address: row.address,
    detail: row.detail,
  };
}
