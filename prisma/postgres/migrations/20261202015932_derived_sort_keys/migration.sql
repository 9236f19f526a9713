-- DropIndex
DROP INDEX "Gallery_nameKey_id_idx";

-- DropIndex
DROP INDEX "Image_titleKey_id_idx";

-- AlterTable
ALTER TABLE "Gallery" DROP COLUMN "nameKey",
DROP COLUMN "searchText";

-- AlterTable
ALTER TABLE "Image" DROP COLUMN "searchText",
DROP COLUMN "titleKey";

-- Sorting by name and title, case-insensitively: the database derives the sort key from the column
-- itself, so rows written by any client (Prisma Studio too) sort the same as those written by the
-- API. Search folds case at query time for the same reason. These indexes are not in the Prisma
-- schema (it cannot express them): a later migration that rebuilds these tables must make them again.
CREATE INDEX "Gallery_lower_name_id_idx" ON "Gallery"(lower("name"), "id");
CREATE INDEX "Image_lower_title_id_idx" ON "Image"(lower("title"), "id");
