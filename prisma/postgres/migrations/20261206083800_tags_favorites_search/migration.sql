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

-- Sorting by date taken (undated photos as the empty string): expression indexes, which Prisma's
-- schema cannot express.
CREATE INDEX "Image_taken_id_idx" ON "Image"(COALESCE("capturedAt", ''), "id");
CREATE INDEX "Image_galleryId_taken_id_idx" ON "Image"("galleryId", COALESCE("capturedAt", ''), "id");

-- AddForeignKey
ALTER TABLE "ImageTag" ADD CONSTRAINT "ImageTag_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImageTag" ADD CONSTRAINT "ImageTag_tagId_fkey" FOREIGN KEY ("tagId") REFERENCES "Tag"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Favorite" ADD CONSTRAINT "Favorite_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Favorite" ADD CONSTRAINT "Favorite_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Full-text search: "searchText" is the title, the description and the tag names (sorted), one
-- per line, kept by the database itself (triggers), so that rows written outside the API (Prisma
-- Studio, SQL) are found too. A GIN index over to_tsvector('simple', "searchText"): the 'simple'
-- configuration folds case and does not stem (titles are in any language; a search finds words as
-- written); prefix queries (word:*) serve search as you type.
CREATE FUNCTION "image_search_text"(image_id INTEGER, title TEXT, description TEXT) RETURNS TEXT
LANGUAGE sql STABLE AS $$
    SELECT title || E'\n' || description || COALESCE((
        SELECT E'\n' || string_agg(t."name", ' ' ORDER BY t."name")
        FROM "ImageTag" it JOIN "Tag" t ON t."id" = it."tagId" WHERE it."imageId" = image_id), '')
$$;

CREATE FUNCTION "image_search_text_of_row"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW."searchText" := "image_search_text"(NEW."id", NEW."title", NEW."description");
    RETURN NEW;
END
$$;

CREATE FUNCTION "image_search_text_of_tagging"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'Tag' THEN
        UPDATE "Image" SET "searchText" = "image_search_text"("id", "title", "description")
        WHERE "id" IN (SELECT "imageId" FROM "ImageTag" WHERE "tagId" = NEW."id");
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE "Image" SET "searchText" = "image_search_text"("id", "title", "description") WHERE "id" = OLD."imageId";
    ELSE
        UPDATE "Image" SET "searchText" = "image_search_text"("id", "title", "description") WHERE "id" = NEW."imageId";
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER "Image_searchText" BEFORE INSERT OR UPDATE OF "title", "description" ON "Image"
    FOR EACH ROW EXECUTE FUNCTION "image_search_text_of_row"();
CREATE TRIGGER "ImageTag_searchText" AFTER INSERT OR DELETE ON "ImageTag"
    FOR EACH ROW EXECUTE FUNCTION "image_search_text_of_tagging"();
CREATE TRIGGER "Tag_searchText" AFTER UPDATE OF "name" ON "Tag"
    FOR EACH ROW EXECUTE FUNCTION "image_search_text_of_tagging"();

UPDATE "Image" SET "searchText" = "title" || E'\n' || "description";
CREATE INDEX "Image_search_idx" ON "Image" USING GIN (to_tsvector('simple', "searchText"));
