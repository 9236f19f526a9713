-- AlterTable
ALTER TABLE "Gallery" ADD COLUMN     "trashed" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "trashedAt" TIMESTAMP(3),
ADD COLUMN     "trashedById" INTEGER;

-- AlterTable
ALTER TABLE "Image" ADD COLUMN     "trashed" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "trashedAt" TIMESTAMP(3),
ADD COLUMN     "trashedById" INTEGER;

-- CreateIndex
CREATE INDEX "Gallery_trashed_trashedAt_idx" ON "Gallery"("trashed", "trashedAt");

-- CreateIndex
CREATE INDEX "Image_trashed_trashedAt_idx" ON "Image"("trashed", "trashedAt");
