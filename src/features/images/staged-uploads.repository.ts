import type { Database } from '../../platform/db/client';

/**
 * Notes of files being staged (see the StagedUpload model): written before the bytes, dropped in
 * the transaction that commits the row, or when the staged files are discarded.
 */
export async function noteStaged(db: Database, storageKey: string): Promise<void> {
  await db.stagedUpload.create({ data: { storageKey } });
}

export async function forgetStaged(db: Database, storageKey: string): Promise<void> {
  await db.stagedUpload.deleteMany({ where: { storageKey } });
}

/** Keys noted before `before`: their upload has had all the time it may take. */
export async function stagedBefore(db: Database, before: Date): Promise<string[]> {
  return (
    await db.stagedUpload.findMany({
      where: { createdAt: { lt: before } },
      select: { storageKey: true },
      orderBy: { createdAt: 'asc' },
    })
  ).map((row) => row.storageKey);
}
