-- AlterTable
ALTER TABLE "Gallery" ADD COLUMN     "coverImageId" INTEGER;

-- CreateIndex
CREATE INDEX "Gallery_coverImageId_idx" ON "Gallery"("coverImageId");

-- AddForeignKey
ALTER TABLE "Gallery" ADD CONSTRAINT "Gallery_coverImageId_fkey" FOREIGN KEY ("coverImageId") REFERENCES "Image"("id") ON DELETE SET NULL ON UPDATE CASCADE;
