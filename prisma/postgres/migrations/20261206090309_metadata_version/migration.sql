-- AlterTable
ALTER TABLE "Image" ADD COLUMN     "metadataVersion" INTEGER NOT NULL DEFAULT 0;
