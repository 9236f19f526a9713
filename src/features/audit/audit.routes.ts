import { z } from 'zod';

import { pageReply } from '../../http/pagination';
import { defineRoute } from '../../http/route';
import { toAuditJson } from './audit.mapper';
import { auditQuery, auditReply } from './audit.schemas';
import type { AuditLog } from './audit.service';

export function auditRoutes({ audit }: { audit: AuditLog }) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/admin/audit',
      access: 'user:manage',
      summary: 'The audit log, newest first (?action=, ?actor=, ?outcome=, ?since=, ?until=, ?limit=, ?cursor=)',
      responses: { 200: z.array(auditReply) },
      query: auditQuery,
      handler: async ({ req, query }) => {
        const page = await audit.list(
          {
            action: query.action,
            actorId: query.actor,
            outcome: query.outcome,
            since: query.since ? new Date(query.since) : undefined,
            until: query.until ? new Date(query.until) : undefined,
          },
          { limit: query.limit, beforeId: query.cursor },
        );
        return pageReply(req, page, toAuditJson);
      },
    }),
  ];
}
