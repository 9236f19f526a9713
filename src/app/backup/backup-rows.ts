import type { Database } from '../../platform/db/client';
import type { DatabaseSnapshot } from '../../platform/db/snapshot';

/*
 * What the backup and the restore read and write of the rows: the image rows of a snapshot, its
 * migrations and counts; whether a row is still live in the running database; and the work in
 * progress a restored database must forget.
 */

/** A live image row of the snapshot: its files are what the backup must hold. */
export type SnapshotImage = { id: number; storageKey: string; sha256: string; size: number };

export async function snapshotImages(snapshot: DatabaseSnapshot): Promise<SnapshotImage[]> {
  const rows = await snapshot.query<SnapshotImage>(
    'SELECT "id", "storageKey", "sha256", "size" FROM "Image" WHERE "deleting" = false ORDER BY "id"',
  );
  return rows.map((row) => ({ ...row, id: Number(row.id), size: Number(row.size) }));
}

export type SnapshotFacts = {
  migrations: string[];
  counts: { users: number; galleries: number; images: number };
};

/** The migrations applied to the snapshot, and what it holds (galleries and images being deleted left out). */
export async function snapshotFacts(snapshot: DatabaseSnapshot): Promise<SnapshotFacts> {
  const migrations = await snapshot.query<{ name: string }>(
    `SELECT "migration_name" AS "name" FROM "_prisma_migrations"
     WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL ORDER BY "migration_name"`,
  );
  const [counts] = await snapshot.query<Record<'users' | 'galleries' | 'images', number | string>>(
    `SELECT (SELECT count(*) FROM "User") AS "users",
            (SELECT count(*) FROM "Gallery" WHERE "deleting" = false) AS "galleries",
            (SELECT count(*) FROM "Image" WHERE "deleting" = false) AS "images"`,
  );
  return {
    migrations: migrations.map((row) => row.name),
    counts: { users: Number(counts.users), galleries: Number(counts.galleries), images: Number(counts.images) },
  };
}

/** Whether the running database still has this image, live, on the same files. */
export async function stillLive(db: Database, image: SnapshotImage): Promise<boolean> {
  return (await db.image.count({ where: { id: image.id, storageKey: image.storageKey, deleting: false } })) === 1;
}

/** What a restored database holds, counted as the backup counted it. */
export async function liveCounts(db: Database) {
  const [users, galleries, images] = await Promise.all([
    db.user.count(),
    db.gallery.count({ where: { deleting: false } }),
    db.image.count({ where: { deleting: false } }),
  ]);
  return { users, galleries, images };
}

/**
 * Work in progress when the backup was taken, whose bytes are not in it: notes of uploads being
 * staged (their files were never part of a row), resumable uploads not finished (their parts were
 * in the store, not in the backup), leases of processes that are gone.
 */
export async function forgetWorkInProgress(db: Database) {
  const staged = await db.stagedUpload.deleteMany({});
  const resumable = await db.resumableUpload.deleteMany({ where: { state: { not: 'done' } } });
  await db.maintenanceLease.deleteMany({});
  return { stagedNotes: staged.count, resumableUploads: resumable.count };
}
