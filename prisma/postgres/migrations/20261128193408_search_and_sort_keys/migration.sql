-- AlterTable
ALTER TABLE "Gallery" ADD COLUMN     "nameKey" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "searchText" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "Image" ADD COLUMN     "searchText" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "titleKey" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE INDEX "Gallery_createdAt_id_idx" ON "Gallery"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Gallery_nameKey_id_idx" ON "Gallery"("nameKey", "id");

-- CreateIndex
CREATE INDEX "Image_createdAt_id_idx" ON "Image"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Image_titleKey_id_idx" ON "Image"("titleKey", "id");

-- Backfill the sort and search keys of existing rows (the server keeps them current from now on).
UPDATE "Gallery" SET "nameKey" = lower("name"), "searchText" = lower("name" || chr(10) || "description");
UPDATE "Image" SET "titleKey" = lower("title"), "searchText" = lower("title" || chr(10) || "description");
