-- DropTable
PRAGMA foreign_keys=off;
DROP TABLE "LoginThrottle";
PRAGMA foreign_keys=on;

-- CreateTable
CREATE TABLE "AttemptThrottle" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "attempts" INTEGER NOT NULL,
    "windowStart" BIGINT NOT NULL,
    "lockedUntil" BIGINT NOT NULL DEFAULT 0,
    "lockedBy" TEXT
);

-- CreateIndex
CREATE INDEX "AttemptThrottle_windowStart_idx" ON "AttemptThrottle"("windowStart");
