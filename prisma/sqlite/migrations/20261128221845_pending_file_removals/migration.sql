-- CreateTable
CREATE TABLE "PendingFileRemoval" (
    "storageKey" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
