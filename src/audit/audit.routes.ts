import { z } from 'zod';
import type { Database } from '../db/client';
import { defineRoute } from '../http/route';
import { idPage, pageQuery, sendPage } from '../http/pagination';
import { id, timestamp } from '../http/response-schemas';
import { idParam } from '../images/images.schemas';

const auditReply = z.strictObject({
  id,
  at: timestamp,
  action: z.string(),
  outcome: z.enum(['ok', 'failed']),
  actor: z.strictObject({ id, username: z.string() }).nullable(),
  target: z.strictObject({ type: z.string(), id }).nullable(),
  address: z.string().nullable(),
  detail: z.string().nullable(),
});

const auditQuery = z.object({
  action: z.string().max(50).optional(),
  actor: idParam.optional(),
  outcome: z.enum(['ok', 'failed']).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  ...pageQuery,
});

type AuditRow = {
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

function toAuditJson(row: AuditRow): z.infer<typeof auditReply> {
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

export function auditRoutes({ db }: { db: Database }) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/admin/audit',
      access: 'user:manage',
      summary: 'The audit log, newest first (?action=, ?actor=, ?outcome=, ?since=, ?until=, ?limit=, ?cursor=)',
      responses: { 200: z.array(auditReply) },
      query: auditQuery,
      handler: async ({ req, res, query }) => {
        const rows = await db.auditEvent.findMany({
          where: {
            ...(query.action ? { action: query.action } : {}),
            ...(query.actor ? { actorId: query.actor } : {}),
            ...(query.outcome ? { outcome: query.outcome } : {}),
            ...(query.since || query.until
              ? { at: { ...(query.since ? { gte: new Date(query.since) } : {}), ...(query.until ? { lt: new Date(query.until) } : {}) } }
              : {}),
            ...(query.cursor ? { id: { lt: query.cursor } } : {}),
          },
          orderBy: { id: 'desc' },
          take: query.limit + 1,
        });
        sendPage(req, res, idPage(rows, query.limit), toAuditJson);
      },
    }),
  ];
}
