-- AlterTable (an added column, not the usual table rebuild: a rebuild would drop the expression
-- index "Gallery_lower_name_id_idx", which the Prisma schema does not know of). SQLite adds a
-- column with a foreign key when its default is NULL, as this one's is.
ALTER TABLE "Gallery" ADD COLUMN "coverImageId" INTEGER CONSTRAINT "Gallery_coverImageId_fkey" REFERENCES "Image" ("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- CreateIndex
CREATE INDEX "Gallery_coverImageId_idx" ON "Gallery"("coverImageId");
