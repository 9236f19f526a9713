import type { Database } from '../../platform/db/client';
import { diedOnThisHost, newLeaseHolder } from '../../platform/db/leases';
import * as repo from './uploads.repository';

/**
 * The one request that may write, finish or remove a resumable upload, on any server process: a
 * lease in the upload's row, taken by one conditional UPDATE, renewed every third of its time
 * while the request runs, given back at its end. A request that finds the lease held by another is
 * refused at once (423), without waiting. A holder that dies keeps the lease until it runs out, or
 * — on the same host — until the next request finds its process gone. Times are the nodes' clocks:
 * a lease lasts 30 s, far longer than the skew of clocks kept by NTP.
 */
export const LEASE_TTL_MS = 30_000;

export type HeldLease = {
  holder: string;
  /** Aborted when a renewal fails: another request may take the upload soon, this one must stop. */
  lost: AbortSignal;
  /** Ends the renewals (the holder gives the lease back another way, with its result). */
  stop(): void;
  /** Ends the renewals and gives the lease back, leaving the upload in `state` when given. */
  release(state?: repo.UploadState): Promise<void>;
};

export type LeaseRefusal = { refused: 'missing' | 'held' | 'state'; row: repo.UploadRow | null };

const times = (now = Date.now()) => ({ now: new Date(now), until: new Date(now + LEASE_TTL_MS) });

/** Renews the lease every third of its time; aborts `lost` when a renewal fails or finds it taken. */
function keepRenewed(db: Database, id: string, holder: string): { lost: AbortController; stop: () => void } {
  const lost = new AbortController();
  const timer = setInterval(() => {
    repo.renewLease(db, id, holder, times().until).then(
      (held) => {
        if (!held) lost.abort(new Error(`lease of upload ${id} lost`));
      },
      (error: unknown) => lost.abort(error),
    );
  }, LEASE_TTL_MS / 3);
  timer.unref();
  return { lost, stop: () => clearInterval(timer) };
}

/**
 * Takes the lease of upload `id` for `purpose` (see uploads.repository.ts), or says why not: no
 * such upload, held by another request, or in a state that does not allow it.
 */
export async function takeUploadLease(
  db: Database,
  id: string,
  purpose: repo.LeasePurpose,
): Promise<{ held: HeldLease } | LeaseRefusal> {
  const holder = newLeaseHolder();
  let taken = await repo.takeLease(db, id, purpose, holder, times());
  if (!taken) {
    const row = await repo.findUpload(db, id);
    if (!row) return { refused: 'missing', row };
    const dead = row.lockHolder && diedOnThisHost(row.lockHolder) ? row.lockHolder : undefined;
    taken = dead !== undefined && (await repo.takeLease(db, id, purpose, holder, { ...times(), from: dead }));
    if (!taken) return { refused: row.lockHolder && row.lockedUntil! >= new Date() ? 'held' : 'state', row };
  }
  const renewal = keepRenewed(db, id, holder);
  return {
    held: {
      holder,
      lost: renewal.lost.signal,
      stop: renewal.stop,
      async release(state) {
        renewal.stop();
        await repo.releaseLease(db, id, holder, state);
      },
    },
  };
}
