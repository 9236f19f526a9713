import type { Transaction } from '../../platform/db/client';
import { AppError } from '../../shared/errors';
import * as repo from './images.repository';

const MIB = 1024 * 1024;

/**
 * Whether `addedBytes` fit in a quota of `quotaBytes` with `usedBytes` used, `freedBytes` of them
 * being replaced: null when they do, else the sentence that says why not. A pure decision.
 */
export function quotaRefusal(usedBytes: number, quotaBytes: number, addedBytes: number, freedBytes = 0): string | null {
  if (usedBytes - freedBytes + addedBytes <= quotaBytes) return null;
  const mb = (bytes: number) => (bytes / MIB).toFixed(1);
  return `Storage quota exceeded: ${mb(usedBytes)} MiB of ${mb(quotaBytes)} MiB used; this file needs ${mb(addedBytes)} MiB.`;
}

/** A user's quota in bytes: their own (`storageQuotaMb`, set by an admin) or the server's default. */
export function quotaBytesOf(quotaMb: number | null, defaultBytes: number): number {
  return quotaMb === null ? defaultBytes : quotaMb * MIB;
}

/**
 * 413 when `addedBytes` would take the user past their storage quota; `freedBytes` is what the
 * file replaces. Read from `within`: an upload checks again in its transaction, under a lock.
 */
export async function requireRoom(
  within: Transaction,
  userId: number,
  defaultQuotaBytes: number,
  addedBytes: number,
  freedBytes = 0,
) {
  const { usedBytes, quotaMb } = await repo.storageUse(within, userId);
  const refusal = quotaRefusal(usedBytes, quotaBytesOf(quotaMb, defaultQuotaBytes), addedBytes, freedBytes);
  if (refusal) throw new AppError('PAYLOAD_TOO_LARGE', refusal);
}
