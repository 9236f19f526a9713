-- DropIndex
DROP INDEX "Gallery_ownerId_idx";

-- DropIndex
DROP INDEX "Image_galleryId_id_idx";

-- DropIndex
DROP INDEX "Image_uploaderId_idx";

-- CreateIndex
CREATE INDEX "Gallery_ownerId_createdAt_id_idx" ON "Gallery"("ownerId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Image_galleryId_createdAt_id_idx" ON "Image"("galleryId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Image_uploaderId_createdAt_id_idx" ON "Image"("uploaderId", "createdAt", "id");
