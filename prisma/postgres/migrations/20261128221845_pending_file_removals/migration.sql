-- CreateTable
CREATE TABLE "PendingFileRemoval" (
    "storageKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PendingFileRemoval_pkey" PRIMARY KEY ("storageKey")
);
