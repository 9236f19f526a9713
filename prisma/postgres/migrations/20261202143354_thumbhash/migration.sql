-- AlterTable
ALTER TABLE "Image" ADD COLUMN     "thumbhash" TEXT;
