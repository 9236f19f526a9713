-- CreateTable
CREATE TABLE "Tag" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ImageTag" (
    "imageId" INTEGER NOT NULL,
    "tagId" INTEGER NOT NULL,

    PRIMARY KEY ("imageId", "tagId"),
    CONSTRAINT "ImageTag_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ImageTag_tagId_fkey" FOREIGN KEY ("tagId") REFERENCES "Tag" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Favorite" (
    "userId" INTEGER NOT NULL,
    "imageId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("userId", "imageId"),
    CONSTRAINT "Favorite_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Favorite_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- AlterTable (columns added in place: rebuilding the table would drop its index on lower(title))
ALTER TABLE "Image" ADD COLUMN "lensModel" TEXT;
ALTER TABLE "Image" ADD COLUMN "focalLength" REAL;
ALTER TABLE "Image" ADD COLUMN "fNumber" REAL;
ALTER TABLE "Image" ADD COLUMN "exposureTime" REAL;
ALTER TABLE "Image" ADD COLUMN "iso" INTEGER;
ALTER TABLE "Image" ADD COLUMN "searchText" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE UNIQUE INDEX "Tag_name_key" ON "Tag"("name");
CREATE INDEX "ImageTag_tagId_imageId_idx" ON "ImageTag"("tagId", "imageId");
CREATE INDEX "Favorite_imageId_idx" ON "Favorite"("imageId");
-- Sorting by date taken (undated photos as the empty string): expression indexes, which Prisma's
-- schema cannot express.
CREATE INDEX "Image_taken_id_idx" ON "Image"(COALESCE("capturedAt", ''), "id");
CREATE INDEX "Image_galleryId_taken_id_idx" ON "Image"("galleryId", COALESCE("capturedAt", ''), "id");

-- Full-text search: "searchText" is the title, the description and the tag names (sorted), one
-- per line, kept by the database itself (triggers), so that rows written outside the API (Prisma
-- Studio, SQL) are found too. The text is made in one place, the trigger on a change of the title
-- or the description; the others set the title to itself to fire it.
UPDATE "Image" SET "searchText" = "title" || char(10) || "description";
CREATE TRIGGER "Image_searchText_update" AFTER UPDATE OF "title", "description" ON "Image" BEGIN
    UPDATE "Image" SET "searchText" = "title" || char(10) || "description" || COALESCE((
        SELECT char(10) || string_agg(t."name", ' ' ORDER BY t."name")
        FROM "ImageTag" it JOIN "Tag" t ON t."id" = it."tagId" WHERE it."imageId" = "Image"."id"), '')
    WHERE "id" = new."id";
END;
CREATE TRIGGER "Image_searchText_insert" AFTER INSERT ON "Image" BEGIN
    UPDATE "Image" SET "title" = "title" WHERE "id" = new."id";
END;
CREATE TRIGGER "ImageTag_searchText_insert" AFTER INSERT ON "ImageTag" BEGIN
    UPDATE "Image" SET "title" = "title" WHERE "id" = new."imageId";
END;
CREATE TRIGGER "ImageTag_searchText_delete" AFTER DELETE ON "ImageTag" BEGIN
    UPDATE "Image" SET "title" = "title" WHERE "id" = old."imageId";
END;
CREATE TRIGGER "Tag_searchText_update" AFTER UPDATE OF "name" ON "Tag" BEGIN
    UPDATE "Image" SET "title" = "title" WHERE "id" IN (SELECT "imageId" FROM "ImageTag" WHERE "tagId" = new."id");
END;

-- The index: an FTS5 table without content of its own (its rowid is the image's id), which may
-- delete by rowid alone. Each trigger indexes the row again from what it holds now, so the order in
-- which triggers fire does not matter. unicode61 folds case and diacritics; prefix indexes of 2 and
-- 3 characters serve search as you type.
CREATE VIRTUAL TABLE "ImageSearch" USING fts5(
    "searchText",
    content='',
    contentless_delete=1,
    tokenize='unicode61 remove_diacritics 2',
    prefix='2 3'
);
INSERT INTO "ImageSearch"(rowid, "searchText") SELECT "id", "searchText" FROM "Image";
CREATE TRIGGER "Image_search_insert" AFTER INSERT ON "Image" BEGIN
    DELETE FROM "ImageSearch" WHERE rowid = new."id";
    INSERT INTO "ImageSearch"(rowid, "searchText") SELECT "id", "searchText" FROM "Image" WHERE "id" = new."id";
END;
CREATE TRIGGER "Image_search_update" AFTER UPDATE OF "searchText" ON "Image" BEGIN
    DELETE FROM "ImageSearch" WHERE rowid = new."id";
    INSERT INTO "ImageSearch"(rowid, "searchText") SELECT "id", "searchText" FROM "Image" WHERE "id" = new."id";
END;
CREATE TRIGGER "Image_search_delete" AFTER DELETE ON "Image" BEGIN
    DELETE FROM "ImageSearch" WHERE rowid = old."id";
END;
