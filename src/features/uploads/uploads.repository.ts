import type { Database } from '../../platform/db/client';

/**
 * The rows of resumable uploads (the ResumableUpload model). Every change of who holds an upload
 * is one conditional UPDATE (a compare-and-swap): of two requests, on one server process or on
 * two, exactly one sees its row changed.
 */

/** receiving → complete (every byte in) → processing (the pipeline runs) → done (the result kept). */
export type UploadState = 'receiving' | 'complete' | 'processing' | 'done';

export type UploadRow = {
  id: string;
  userId: number;
  galleryId: number;
  title: string;
  description: string;
  length: number;
  state: UploadState;
  lockHolder: string | null;
  lockedUntil: Date | null;
  resultStatus: number | null;
  resultBody: string | null;
  createdAt: Date;
  expiresAt: Date;
};

export type NewUpload = Pick<
  UploadRow,
  'id' | 'userId' | 'galleryId' | 'title' | 'description' | 'length' | 'expiresAt'
>;

/** What a lease is taken for, and the states the upload may be in for it. */
export type LeasePurpose = 'write' | 'finish' | 'remove';

const STATES_FOR: Record<LeasePurpose, UploadState[]> = {
  write: ['receiving'],
  // `processing` too: a holder that died while processing leaves it so, with a lease that runs out.
  finish: ['complete', 'processing'],
  remove: ['receiving', 'complete', 'processing', 'done'],
};

export async function insertUpload(db: Database, row: NewUpload): Promise<void> {
  await db.resumableUpload.create({ data: row });
}

export async function findUpload(db: Database, id: string): Promise<UploadRow | null> {
  return (await db.resumableUpload.findUnique({ where: { id } })) as UploadRow | null;
}

/**
 * Takes the upload's lease for `holder` until `until`, when the upload is in a state `purpose`
 * allows and nobody holds it (or the lease of whoever held it ran out before `now`), or when
 * `from` (a holder known to be dead) still holds it. Finishing moves the upload to `processing`.
 */
export async function takeLease(
  db: Database,
  id: string,
  purpose: LeasePurpose,
  holder: string,
  { now, until, from }: { now: Date; until: Date; from?: string },
): Promise<boolean> {
  const free = from ? [{ lockHolder: from }] : [{ lockHolder: null }, { lockedUntil: { lt: now } }];
  const { count } = await db.resumableUpload.updateMany({
    where: { id, state: { in: STATES_FOR[purpose] }, OR: free },
    data: { lockHolder: holder, lockedUntil: until, ...(purpose === 'finish' ? { state: 'processing' } : {}) },
  });
  return count === 1;
}

/** Extends the lease while `holder` still has it; false when it was lost. */
export async function renewLease(db: Database, id: string, holder: string, until: Date): Promise<boolean> {
  const { count } = await db.resumableUpload.updateMany({
    where: { id, lockHolder: holder },
    data: { lockedUntil: until },
  });
  return count === 1;
}

/** Gives the lease back; `state`: the state the upload is left in (a failed finish: `complete` again). */
export async function releaseLease(db: Database, id: string, holder: string, state?: UploadState): Promise<void> {
  await db.resumableUpload.updateMany({
    where: { id, lockHolder: holder },
    data: { lockHolder: null, lockedUntil: null, ...(state ? { state } : {}) },
  });
}

/** Every byte is in: from now on the upload is finished, not written (under the writer's lease). */
export async function markComplete(db: Database, id: string): Promise<void> {
  await db.resumableUpload.updateMany({ where: { id, state: 'receiving' }, data: { state: 'complete' } });
}

/** Keeps the result and gives the lease back, while `holder` still has it; false when it was lost. */
export async function recordResult(
  db: Database,
  id: string,
  holder: string,
  result: { status: number; body: string },
): Promise<boolean> {
  const { count } = await db.resumableUpload.updateMany({
    where: { id, lockHolder: holder },
    data: { state: 'done', resultStatus: result.status, resultBody: result.body, lockHolder: null, lockedUntil: null },
  });
  return count === 1;
}

export async function deleteUpload(db: Database, id: string, holder?: string): Promise<void> {
  await db.resumableUpload.deleteMany({ where: holder ? { id, lockHolder: holder } : { id } });
}

/** Uploads past their expiry, by id from `after`, a batch at a time. */
export async function expiredUploads(db: Database, now: Date, after: string, take: number): Promise<UploadRow[]> {
  return (await db.resumableUpload.findMany({
    where: { expiresAt: { lt: now }, id: { gt: after } },
    orderBy: { id: 'asc' },
    take,
  })) as UploadRow[];
}
