import type { Database, Transaction, TransactionOptions } from '../../platform/db/client';
import type { Logger } from '../../shared/logger';
import { idPage } from '../../shared/paging';
import * as repo from './audit.repository';

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

const row = (event: AuditEvent): repo.AuditEventRow => ({
  action: event.action,
  outcome: event.outcome ?? 'ok',
  actor: event.actor ?? null,
  target: event.target ?? null,
  detail: event.detail?.slice(0, 500) ?? null,
  address: event.address,
});

/**
 * The audit log. A change and the event that records it are written in one transaction
 * (`withEvent`): both or neither, so the log never misses a change nor records one that did not
 * happen. Events without a change (a failed login) are written on their own (`record`).
 */
export function createAuditLog({ db, logger }: { db: Database; logger: Logger }) {
  return {
    /**
     * Runs `work` in a transaction and records the event `eventOf(result)` in it: one, or several
     * when the change ends other things as well (a transfer that revokes share links).
     */
    withEvent<T>(
      work: (tx: Transaction) => Promise<T>,
      eventOf: (result: T) => AuditEvent | AuditEvent[],
      options?: TransactionOptions,
    ): Promise<T> {
      return db.$transaction(async (tx) => {
        const result = await work(tx as Transaction);
        for (const event of [eventOf(result)].flat()) await repo.insertEvent(tx as Transaction, row(event));
        return result;
      }, options);
    },

    /** Records an event that goes with no change; a failure to record is logged, not thrown. */
    async record(event: AuditEvent): Promise<void> {
      try {
        await repo.insertEvent(db, row(event));
      } catch (error) {
        logger.error('could not record audit event', { action: event.action, error: String(error) });
      }
    },

    /** One page of events, newest first. */
    async list(filter: repo.EventFilter, page: { limit: number; beforeId?: number }) {
      return idPage(await repo.listEvents(db, filter, page), page.limit);
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
