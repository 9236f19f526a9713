import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

import type { Database } from './client';

/**
 * Leases on work that one server process at a time may do (the MaintenanceLease table). A lease
 * is taken with one conditional statement — inserted when there is none, or taken over when the
 * one there has expired (or is already ours) — renewed while the work runs, and released at the
 * end. A holder that dies keeps it only until it expires — or, on the same host, until a new
 * process finds it gone. Times come from the nodes' clocks: a
 * lease lasts a minute, far longer than the skew of clocks kept by NTP.
 */

/** Who holds a lease: this host and process, and a random part (one process may run the work twice). */
export function newLeaseHolder(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** Takes the lease `name` for `holder` until `ttlMs` from now; false when someone else holds it. */
export async function acquireLease(db: Database, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const now = new Date();
  const expiresAt = new Date(now.getTime() + ttlMs);
  const taken = await db.$executeRaw`
    INSERT INTO "MaintenanceLease" ("name", "holder", "expiresAt") VALUES (${name}, ${holder}, ${expiresAt})
    ON CONFLICT ("name") DO UPDATE SET "holder" = excluded."holder", "expiresAt" = excluded."expiresAt"
    WHERE "MaintenanceLease"."expiresAt" < ${now} OR "MaintenanceLease"."holder" = excluded."holder"`;
  return taken === 1;
}

/** Extends the lease while `holder` still has it; false when it was lost (expired and taken). */
export async function renewLease(db: Database, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const expiresAt = new Date(Date.now() + ttlMs);
  return (
    (await db.$executeRaw`UPDATE "MaintenanceLease" SET "expiresAt" = ${expiresAt} WHERE "name" = ${name} AND "holder" = ${holder}`) ===
    1
  );
}

export async function releaseLease(db: Database, name: string, holder: string): Promise<void> {
  await db.$executeRaw`DELETE FROM "MaintenanceLease" WHERE "name" = ${name} AND "holder" = ${holder}`;
}

export async function leaseHolder(db: Database, name: string): Promise<string | null> {
  const [row] = await db.$queryRaw<
    { holder: string }[]
  >`SELECT "holder" FROM "MaintenanceLease" WHERE "name" = ${name}`;
  return row?.holder ?? null;
}

/**
 * Whether `holder` names a process of this host that is no longer running: a server killed and
 * started again on the same machine need not wait for its old lease to expire. (A reused pid reads
 * as alive: the lease is then waited out, which is safe.)
 */
export function diedOnThisHost(holder: string): boolean {
  const [host, pid] = holder.split(':');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '') || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Takes over the lease from `deadHolder` (only while it still holds it). */
async function takeOver(
  db: Database,
  name: string,
  deadHolder: string,
  holder: string,
  ttlMs: number,
): Promise<boolean> {
  const expiresAt = new Date(Date.now() + ttlMs);
  return (
    (await db.$executeRaw`UPDATE "MaintenanceLease" SET "holder" = ${holder}, "expiresAt" = ${expiresAt} WHERE "name" = ${name} AND "holder" = ${deadHolder}`) ===
    1
  );
}

export type LeaseOutcome<T> = { ran: true; result: T } | { ran: false; heldBy: string | null };

/**
 * Runs `work` under the lease `name`, renewing it every third of `ttlMs`; `work`'s signal aborts
 * when a renewal finds the lease lost, and the work should stop at its next step. Does not run it
 * (and says who holds the lease) when another holder has it.
 */
export async function withLease<T>(
  db: Database,
  name: string,
  ttlMs: number,
  work: (signal: AbortSignal) => Promise<T>,
  holder = newLeaseHolder(),
): Promise<LeaseOutcome<T>> {
  if (!(await acquireLease(db, name, holder, ttlMs))) {
    const heldBy = await leaseHolder(db, name);
    if (!heldBy || !diedOnThisHost(heldBy) || !(await takeOver(db, name, heldBy, holder, ttlMs)))
      return { ran: false, heldBy };
  }
  const lost = new AbortController();
  const renewal = setInterval(
    () => {
      renewLease(db, name, holder, ttlMs)
        .then((held) => {
          if (!held) lost.abort(new Error(`lease ${name} lost`));
        })
        .catch(() => undefined);
    },
    Math.max(10, Math.floor(ttlMs / 3)),
  );
  renewal.unref();
  try {
    return { ran: true, result: await work(lost.signal) };
  } finally {
    clearInterval(renewal);
    await releaseLease(db, name, holder).catch(() => undefined);
  }
}
