-- AlterTable
ALTER TABLE "User" ADD COLUMN     "storageQuotaMb" INTEGER;
