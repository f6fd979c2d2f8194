-- AlterTable
-- Keys issued before expiry existed get the default lifetime (90 days) from this migration.
ALTER TABLE "api_key" ADD COLUMN     "expires_at" TIMESTAMPTZ(3) NOT NULL DEFAULT (now() + interval '90 days'),
ADD COLUMN     "grace_ends_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_used_at" TIMESTAMPTZ(3),
ADD COLUMN     "rotated_at" TIMESTAMPTZ(3),
ADD COLUMN     "rotated_from_id" UUID;
ALTER TABLE "api_key" ALTER COLUMN "expires_at" DROP DEFAULT;

-- CreateTable
CREATE TABLE "security_alert" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "raised_at" TIMESTAMPTZ(3) NOT NULL,
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by" UUID,
    "acknowledgement_note" TEXT,

    CONSTRAINT "security_alert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "security_alert_raised_at_id_idx" ON "security_alert"("raised_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "api_key_rotated_from_id_key" ON "api_key"("rotated_from_id");

-- AddForeignKey
ALTER TABLE "api_key" ADD CONSTRAINT "api_key_rotated_from_id_fkey" FOREIGN KEY ("rotated_from_id") REFERENCES "api_key"("id") ON DELETE SET NULL ON UPDATE CASCADE;
