-- The same bytes twice in one gallery (allowed before): keep the oldest image, note each removed
-- copy (title, file) in the audit log, and remove it. The files of removed copies have no row
-- any more: the storage check reports them (and removes them when repairing).
INSERT INTO "AuditEvent" ("action", "outcome", "targetType", "targetId", "detail")
SELECT 'image.deduplicate', 'ok', 'image', d."id",
       'duplicate of image ' || k."keep" || ' in gallery ' || d."galleryId" || '; title: ' || d."title" || '; file: ' || d."storageKey"
FROM "Image" d
JOIN (SELECT "galleryId", "sha256", MIN("id") AS "keep" FROM "Image" GROUP BY "galleryId", "sha256" HAVING COUNT(*) > 1) k
  ON k."galleryId" = d."galleryId" AND k."sha256" = d."sha256" AND d."id" <> k."keep";
DELETE FROM "Image" WHERE "id" NOT IN (SELECT MIN("id") FROM "Image" GROUP BY "galleryId", "sha256");

-- CreateTable
CREATE TABLE "PendingFileRemoval" (
    "storageKey" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
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
    "titleKey" TEXT NOT NULL DEFAULT '',
    "searchText" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "Image_galleryId_fkey" FOREIGN KEY ("galleryId") REFERENCES "Gallery" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Image_uploaderId_fkey" FOREIGN KEY ("uploaderId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Image" ("createdAt", "description", "galleryId", "height", "id", "mimeType", "searchText", "sha256", "size", "storageKey", "title", "titleKey", "updatedAt", "uploaderId", "width") SELECT "createdAt", "description", "galleryId", "height", "id", "mimeType", "searchText", "sha256", "size", "storageKey", "title", "titleKey", "updatedAt", "uploaderId", "width" FROM "Image";
DROP TABLE "Image";
ALTER TABLE "new_Image" RENAME TO "Image";
CREATE UNIQUE INDEX "Image_storageKey_key" ON "Image"("storageKey");
CREATE INDEX "Image_galleryId_createdAt_id_idx" ON "Image"("galleryId", "createdAt", "id");
CREATE INDEX "Image_uploaderId_createdAt_id_idx" ON "Image"("uploaderId", "createdAt", "id");
CREATE INDEX "Image_createdAt_id_idx" ON "Image"("createdAt", "id");
CREATE INDEX "Image_titleKey_id_idx" ON "Image"("titleKey", "id");
CREATE UNIQUE INDEX "Image_galleryId_sha256_key" ON "Image"("galleryId", "sha256");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
