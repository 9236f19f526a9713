-- AlterTable (columns added in place: rebuilding the tables would drop their indexes on lower(name)
-- and lower(title))
ALTER TABLE "Gallery" ADD COLUMN "trashed" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Gallery" ADD COLUMN "trashedAt" DATETIME;
ALTER TABLE "Gallery" ADD COLUMN "trashedById" INTEGER;

ALTER TABLE "Image" ADD COLUMN "trashed" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Image" ADD COLUMN "trashedAt" DATETIME;
ALTER TABLE "Image" ADD COLUMN "trashedById" INTEGER;

-- CreateIndex
CREATE INDEX "Gallery_trashed_trashedAt_idx" ON "Gallery"("trashed", "trashedAt");

-- CreateIndex
CREATE INDEX "Image_trashed_trashedAt_idx" ON "Image"("trashed", "trashedAt");
