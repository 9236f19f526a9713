-- DropTable
DROP TABLE "LoginThrottle";

-- CreateTable
CREATE TABLE "AttemptThrottle" (
    "key" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "windowStart" BIGINT NOT NULL,
    "lockedUntil" BIGINT NOT NULL DEFAULT 0,
    "lockedBy" TEXT,

    CONSTRAINT "AttemptThrottle_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "AttemptThrottle_windowStart_idx" ON "AttemptThrottle"("windowStart");
