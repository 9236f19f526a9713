-- AlterTable (the column added in place: rebuilding the table would drop its expression indexes,
-- on lower(title) and on the date taken)
ALTER TABLE "Image" ADD COLUMN "metadataVersion" INTEGER NOT NULL DEFAULT 0;
