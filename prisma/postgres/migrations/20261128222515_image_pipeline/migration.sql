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

-- AlterTable
ALTER TABLE "Image" ADD COLUMN     "cameraModel" TEXT,
ADD COLUMN     "capturedAt" TEXT,
ADD COLUMN     "deleting" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "hasGps" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "orientation" INTEGER;

-- CreateTable
CREATE TABLE "PendingFileRemoval" (
    "storageKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PendingFileRemoval_pkey" PRIMARY KEY ("storageKey")
);

-- CreateIndex
CREATE UNIQUE INDEX "Image_galleryId_sha256_key" ON "Image"("galleryId", "sha256");
