-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Gallery" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "ownerId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Gallery_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Gallery" ("createdAt", "description", "id", "name", "ownerId", "updatedAt") SELECT "createdAt", "description", "id", "name", "ownerId", "updatedAt" FROM "Gallery";
DROP TABLE "Gallery";
ALTER TABLE "new_Gallery" RENAME TO "Gallery";
CREATE INDEX "Gallery_ownerId_createdAt_id_idx" ON "Gallery"("ownerId", "createdAt", "id");
CREATE INDEX "Gallery_createdAt_id_idx" ON "Gallery"("createdAt", "id");
CREATE TABLE "new_Image" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "galleryId" INTEGER NOT NULL,
    "uploaderId" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "storageKey" TEXT NOT NULL,
    "mimeType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "width" INTEGER,
    "height" INTEGER,
    "orientation" INTEGER,
    "capturedAt" TEXT,
    "cameraModel" TEXT,
    "hasGps" BOOLEAN NOT NULL DEFAULT false,
    "deleting" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Image_galleryId_fkey" FOREIGN KEY ("galleryId") REFERENCES "Gallery" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Image_uploaderId_fkey" FOREIGN KEY ("uploaderId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Image" ("cameraModel", "capturedAt", "createdAt", "deleting", "description", "galleryId", "hasGps", "height", "id", "mimeType", "orientation", "sha256", "size", "storageKey", "title", "updatedAt", "uploaderId", "width") SELECT "cameraModel", "capturedAt", "createdAt", "deleting", "description", "galleryId", "hasGps", "height", "id", "mimeType", "orientation", "sha256", "size", "storageKey", "title", "updatedAt", "uploaderId", "width" FROM "Image";
DROP TABLE "Image";
ALTER TABLE "new_Image" RENAME TO "Image";
CREATE UNIQUE INDEX "Image_storageKey_key" ON "Image"("storageKey");
CREATE INDEX "Image_galleryId_createdAt_id_idx" ON "Image"("galleryId", "createdAt", "id");
CREATE INDEX "Image_uploaderId_createdAt_id_idx" ON "Image"("uploaderId", "createdAt", "id");
CREATE INDEX "Image_createdAt_id_idx" ON "Image"("createdAt", "id");
CREATE UNIQUE INDEX "Image_galleryId_sha256_key" ON "Image"("galleryId", "sha256");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Sorting by name and title, case-insensitively: the database derives the sort key from the column
-- itself, so rows written by any client (Prisma Studio too) sort the same as those written by the
-- API. Search folds case at query time for the same reason. These indexes are not in the Prisma
-- schema (it cannot express them): a later migration that rebuilds these tables must make them again.
CREATE INDEX "Gallery_lower_name_id_idx" ON "Gallery"(lower("name"), "id");
CREATE INDEX "Image_lower_title_id_idx" ON "Image"(lower("title"), "id");
