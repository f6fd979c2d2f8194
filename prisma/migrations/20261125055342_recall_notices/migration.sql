-- CreateTable
CREATE TABLE "facility_webhook" (
    "id" UUID NOT NULL,
    "facility_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "registered_at" TIMESTAMPTZ(3) NOT NULL,
    "registered_by" UUID,
    "superseded_at" TIMESTAMPTZ(3),

    CONSTRAINT "facility_webhook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recall_notice" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "source_id" UUID NOT NULL,
    "recall_id" UUID,
    "facility_id" UUID NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "lease_until" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "recall_notice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notice_delivery_attempt" (
    "id" UUID NOT NULL,
    "notice_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "attempted_at" TIMESTAMPTZ(3) NOT NULL,
    "url" TEXT NOT NULL,
    "status_code" INTEGER,
    "error" TEXT,
    "duration_ms" INTEGER NOT NULL,
    "delivered" BOOLEAN NOT NULL,

    CONSTRAINT "notice_delivery_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recall_acknowledgement" (
    "id" UUID NOT NULL,
    "recall_id" UUID NOT NULL,
    "facility_id" UUID NOT NULL,
    "acknowledged_at" TIMESTAMPTZ(3) NOT NULL,
    "acknowledged_by" TEXT NOT NULL,
    "units_quarantined" BOOLEAN NOT NULL,
    "patients_notified" BOOLEAN NOT NULL,
    "note" TEXT,
    "created_by" UUID,

    CONSTRAINT "recall_acknowledgement_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "facility_webhook_facility_id_superseded_at_idx" ON "facility_webhook"("facility_id", "superseded_at");

-- CreateIndex
CREATE INDEX "recall_notice_status_next_attempt_at_idx" ON "recall_notice"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "recall_notice_recall_id_idx" ON "recall_notice"("recall_id");

-- CreateIndex
CREATE UNIQUE INDEX "recall_notice_kind_source_id_facility_id_key" ON "recall_notice"("kind", "source_id", "facility_id");

-- CreateIndex
CREATE UNIQUE INDEX "notice_delivery_attempt_notice_id_attempt_key" ON "notice_delivery_attempt"("notice_id", "attempt");

-- CreateIndex
CREATE UNIQUE INDEX "recall_acknowledgement_recall_id_facility_id_key" ON "recall_acknowledgement"("recall_id", "facility_id");

-- AddForeignKey
ALTER TABLE "notice_delivery_attempt" ADD CONSTRAINT "notice_delivery_attempt_notice_id_fkey" FOREIGN KEY ("notice_id") REFERENCES "recall_notice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
