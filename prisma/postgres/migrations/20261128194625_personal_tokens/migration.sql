-- AlterTable
ALTER TABLE "Token" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'session',
ADD COLUMN     "name" TEXT,
ADD COLUMN     "prefix" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "scope" TEXT NOT NULL DEFAULT 'read-write';
