-- AlterTable
ALTER TABLE "Image" ADD COLUMN     "exposureTime" DOUBLE PRECISION,
ADD COLUMN     "fNumber" DOUBLE PRECISION,
ADD COLUMN     "focalLength" DOUBLE PRECISION,
ADD COLUMN     "iso" INTEGER,
ADD COLUMN     "lensModel" TEXT,
ADD COLUMN     "searchText" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "Tag" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Tag_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ImageTag" (
    "imageId" INTEGER NOT NULL,
    "tagId" INTEGER NOT NULL,

    CONSTRAINT "ImageTag_pkey" PRIMARY KEY ("imageId","tagId")
);

-- CreateTable
CREATE TABLE "Favorite" (
    "userId" INTEGER NOT NULL,
    "imageId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Favorite_pkey" PRIMARY KEY ("userId","imageId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Tag_name_key" ON "Tag"("name");

-- CreateIndex
CREATE INDEX "ImageTag_tagId_imageId_idx" ON "ImageTag"("tagId", "imageId");

-- CreateIndex
CREATE INDEX "Favorite_imageId_idx" ON "Favorite"("imageId");

-- CreateIndex
CREATE INDEX "Image_capturedAt_id_idx" ON "Image"("capturedAt", "id");

-- CreateIndex
CREATE INDEX "Image_galleryId_capturedAt_id_idx" ON "Image"("galleryId", "capturedAt", "id");

-- AddForeignKey
ALTER TABLE "ImageTag" ADD CONSTRAINT "ImageTag_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImageTag" ADD CONSTRAINT "ImageTag_tagId_fkey" FOREIGN KEY ("tagId") REFERENCES "Tag"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Favorite" ADD CONSTRAINT "Favorite_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Favorite" ADD CONSTRAINT "Favorite_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Full-text search: a GIN index over to_tsvector('simple', "searchText") (title, description and
-- tag names). The 'simple' configuration folds case and does not stem: titles are in any language,
-- and a search finds the words as written (prefix queries, word:*, serve search as you type).
UPDATE "Image" SET "searchText" = "title" || E'\n' || "description";
CREATE INDEX "Image_search_idx" ON "Image" USING GIN (to_tsvector('simple', "searchText"));
