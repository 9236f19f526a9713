import type { Request } from 'express';
import type { Database } from '../db/client';
import type { Logger } from '../logger';

export type AuditEntry = {
  action: string;
  outcome?: 'ok' | 'failed';
  actor?: { id: number; username: string } | null;
  target?: { type: string; id: number };
  /** A short, secret-free note: changed fields, a file's type and size, an attempted username. */
  detail?: string;
};

/** Records security-relevant events. A failure to record is logged, never turned into an error reply. */
export function createAuditLog(db: Database, logger: Logger) {
  return {
    async record(req: Request, entry: AuditEntry): Promise<void> {
      try {
        await db.auditEvent.create({
          data: {
            action: entry.action,
            outcome: entry.outcome ?? 'ok',
            actorId: entry.actor?.id ?? null,
            actorName: entry.actor?.username ?? null,
            targetType: entry.target?.type ?? null,
            targetId: entry.target?.id ?? null,
            address: req.ip ?? null,
            detail: entry.detail?.slice(0, 500) ?? null,
          },
        });
      } catch (error) {
        logger.error('could not record audit event', { action: entry.action, error: String(error) });
      }
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
