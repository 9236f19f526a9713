-- CreateTable
CREATE TABLE "ResumableUpload" (
    "id" TEXT NOT NULL,
    "userId" INTEGER NOT NULL,
    "galleryId" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "length" INTEGER NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'receiving',
    "lockHolder" TEXT,
    "lockedUntil" TIMESTAMP(3),
    "resultStatus" INTEGER,
    "resultBody" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ResumableUpload_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ResumableUpload_expiresAt_idx" ON "ResumableUpload"("expiresAt");
