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
    "nameKey" TEXT NOT NULL DEFAULT '',
    "searchText" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "Gallery_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Gallery" ("createdAt", "description", "id", "name", "ownerId", "updatedAt") SELECT "createdAt", "description", "id", "name", "ownerId", "updatedAt" FROM "Gallery";
DROP TABLE "Gallery";
ALTER TABLE "new_Gallery" RENAME TO "Gallery";
CREATE INDEX "Gallery_ownerId_idx" ON "Gallery"("ownerId");
CREATE INDEX "Gallery_createdAt_id_idx" ON "Gallery"("createdAt", "id");
CREATE INDEX "Gallery_nameKey_id_idx" ON "Gallery"("nameKey", "id");
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "titleKey" TEXT NOT NULL DEFAULT '',
    "searchText" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "Image_galleryId_fkey" FOREIGN KEY ("galleryId") REFERENCES "Gallery" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Image_uploaderId_fkey" FOREIGN KEY ("uploaderId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Image" ("createdAt", "description", "galleryId", "height", "id", "mimeType", "sha256", "size", "storageKey", "title", "updatedAt", "uploaderId", "width") SELECT "createdAt", "description", "galleryId", "height", "id", "mimeType", "sha256", "size", "storageKey", "title", "updatedAt", "uploaderId", "width" FROM "Image";
DROP TABLE "Image";
ALTER TABLE "new_Image" RENAME TO "Image";
CREATE UNIQUE INDEX "Image_storageKey_key" ON "Image"("storageKey");
CREATE INDEX "Image_galleryId_id_idx" ON "Image"("galleryId", "id");
CREATE INDEX "Image_uploaderId_idx" ON "Image"("uploaderId");
CREATE INDEX "Image_createdAt_id_idx" ON "Image"("createdAt", "id");
CREATE INDEX "Image_titleKey_id_idx" ON "Image"("titleKey", "id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Backfill the sort and search keys of existing rows (the server keeps them current from now on).
UPDATE "Gallery" SET "nameKey" = lower("name"), "searchText" = lower("name" || char(10) || "description");
UPDATE "Image" SET "titleKey" = lower("title"), "searchText" = lower("title" || char(10) || "description");
