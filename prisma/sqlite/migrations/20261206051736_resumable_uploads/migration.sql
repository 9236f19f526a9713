-- CreateTable
CREATE TABLE "ResumableUpload" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" INTEGER NOT NULL,
    "galleryId" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "length" INTEGER NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'receiving',
    "lockHolder" TEXT,
    "lockedUntil" DATETIME,
    "resultStatus" INTEGER,
    "resultBody" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "ResumableUpload_expiresAt_idx" ON "ResumableUpload"("expiresAt");
