import type { Database } from '../db/client';
import type { Logger } from '../logger';

export type AuditEvent = {
  action: string;
  outcome?: 'ok' | 'failed';
  actor?: { id: number; username: string } | null;
  target?: { type: string; id: number };
  /** A short, secret-free note: changed fields, a file's type and size, an attempted username. */
  detail?: string;
  /** The client's address. */
  address: string | null;
};

/** What a transaction gives the work done in it (Prisma's interactive transaction client). */
export type Transaction = Database;

export type TransactionOptions = { maxWait?: number; timeout?: number };

function insertEvent(db: Database, event: AuditEvent) {
  return db.auditEvent.create({
    data: {
      action: event.action,
      outcome: event.outcome ?? 'ok',
      actorId: event.actor?.id ?? null,
      actorName: event.actor?.username ?? null,
      targetType: event.target?.type ?? null,
      targetId: event.target?.id ?? null,
      address: event.address,
      detail: event.detail?.slice(0, 500) ?? null,
    },
    select: { id: true },
  });
}

/**
 * The audit log. A change and the event that records it are written in one transaction
 * (`withEvent`): both or neither, so the log never misses a change nor records one that did not
 * happen. Events without a change (a failed login) are written on their own (`record`).
 */
export function createAuditLog(db: Database, logger: Logger) {
  return {
    /** Runs `work` in a transaction and records the event `eventOf(result)` in it. */
    withEvent<T>(work: (tx: Transaction) => Promise<T>, eventOf: (result: T) => AuditEvent, options?: TransactionOptions): Promise<T> {
      return db.$transaction(async (tx) => {
        const result = await work(tx as Transaction);
        await insertEvent(tx as Transaction, eventOf(result));
        return result;
      }, options);
    },

    /** Records an event that goes with no change; a failure to record is logged, not thrown. */
    async record(event: AuditEvent): Promise<void> {
      try {
        await insertEvent(db, event);
      } catch (error) {
        logger.error('could not record audit event', { action: event.action, error: String(error) });
      }
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
