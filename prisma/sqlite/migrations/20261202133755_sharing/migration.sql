-- CreateTable
CREATE TABLE "GalleryMember" (
    "galleryId" INTEGER NOT NULL,
    "userId" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("galleryId", "userId"),
    CONSTRAINT "GalleryMember_galleryId_fkey" FOREIGN KEY ("galleryId") REFERENCES "Gallery" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "GalleryMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ShareLink" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "galleryId" INTEGER NOT NULL,
    "createdById" INTEGER NOT NULL,
    "keyHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "passwordHash" TEXT,
    "expiresAt" DATETIME,
    "maxViews" INTEGER,
    "views" INTEGER NOT NULL DEFAULT 0,
    "allowOriginals" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" DATETIME,
    CONSTRAINT "ShareLink_galleryId_fkey" FOREIGN KEY ("galleryId") REFERENCES "Gallery" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ShareLink_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- AlterTable (a column added in place: rebuilding the table would drop its index on lower(name))
ALTER TABLE "Gallery" ADD COLUMN "visibility" TEXT NOT NULL DEFAULT 'shared';

-- CreateIndex
CREATE INDEX "GalleryMember_userId_galleryId_idx" ON "GalleryMember"("userId", "galleryId");

-- CreateIndex
CREATE UNIQUE INDEX "ShareLink_keyHash_key" ON "ShareLink"("keyHash");

-- CreateIndex
CREATE INDEX "ShareLink_galleryId_idx" ON "ShareLink"("galleryId");
