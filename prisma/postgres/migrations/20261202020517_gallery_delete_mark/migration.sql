-- AlterTable
ALTER TABLE "Gallery" ADD COLUMN     "deleting" BOOLEAN NOT NULL DEFAULT false;
