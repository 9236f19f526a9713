import type { Database } from '../../platform/db/client';

/** Stars `imageId` for `userId` while the image exists; one already there stays as it is. */
export async function star(db: Database, userId: number, imageId: number): Promise<void> {
  const now = new Date();
  await db.$executeRaw`INSERT INTO "Favorite" ("userId", "imageId", "createdAt")
    SELECT ${userId}, "id", ${now} FROM "Image" WHERE "id" = ${imageId}
    ON CONFLICT ("userId", "imageId") DO NOTHING`;
}

/** Takes the star off; none there is not an error. */
export async function unstar(db: Database, userId: number, imageId: number): Promise<void> {
  await db.favorite.deleteMany({ where: { userId, imageId } });
}
