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
CREATE INDEX "Image_capturedAt_id_idx" ON "Image"("capturedAt", "id");
CREATE INDEX "Image_galleryId_capturedAt_id_idx" ON "Image"("galleryId", "capturedAt", "id");

-- Full-text search: an FTS5 index over "searchText" (title, description and tag names), its rows
-- those of "Image" (external content), kept in step by the triggers below. unicode61 folds case
-- and diacritics; prefix indexes of 2 and 3 characters serve search as you type.
UPDATE "Image" SET "searchText" = "title" || char(10) || "description";
CREATE VIRTUAL TABLE "ImageSearch" USING fts5(
    "searchText",
    content='Image',
    content_rowid='id',
    tokenize='unicode61 remove_diacritics 2',
    prefix='2 3'
);
INSERT INTO "ImageSearch"("ImageSearch") VALUES ('rebuild');
CREATE TRIGGER "Image_search_insert" AFTER INSERT ON "Image" BEGIN
    INSERT INTO "ImageSearch"(rowid, "searchText") VALUES (new."id", new."searchText");
END;
CREATE TRIGGER "Image_search_delete" AFTER DELETE ON "Image" BEGIN
    INSERT INTO "ImageSearch"("ImageSearch", rowid, "searchText") VALUES ('delete', old."id", old."searchText");
END;
CREATE TRIGGER "Image_search_update" AFTER UPDATE OF "searchText" ON "Image" BEGIN
    INSERT INTO "ImageSearch"("ImageSearch", rowid, "searchText") VALUES ('delete', old."id", old."searchText");
    INSERT INTO "ImageSearch"(rowid, "searchText") VALUES (new."id", new."searchText");
END;
