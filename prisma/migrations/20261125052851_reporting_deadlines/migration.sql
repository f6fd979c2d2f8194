-- AlterTable
ALTER TABLE "adverse_reaction" ALTER COLUMN "report_due_on" DROP NOT NULL;

-- 21 CFR 1271.350(a) sets a due date only for a reaction involving a communicable disease. The
-- date kept for the others (45 days, wrongly attributed to 1271.350) was computed by the service,
-- never entered by anyone; it is taken back. Each reaction's audit event still shows the old value.
UPDATE "adverse_reaction" SET "report_due_on" = NULL WHERE NOT "suspected_communicable_disease";

-- CreateTable
CREATE TABLE "deviation_report" (
    "id" UUID NOT NULL,
    "lot_id" UUID NOT NULL,
    "core_requirement" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "discovered_at" TIMESTAMPTZ(3) NOT NULL,
    "report_due_on" DATE NOT NULL,
    "recorded_by" TEXT NOT NULL,
    "closed_at" TIMESTAMPTZ(3),
    "closed_by" TEXT,
    "outcome" TEXT,
    "fda_report_reference" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "deviation_report_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "deviation_report_lot_id_idx" ON "deviation_report"("lot_id");

-- CreateIndex
CREATE INDEX "deviation_report_closed_at_report_due_on_idx" ON "deviation_report"("closed_at", "report_due_on");

-- AddForeignKey
ALTER TABLE "deviation_report" ADD CONSTRAINT "deviation_report_lot_id_fkey" FOREIGN KEY ("lot_id") REFERENCES "lot"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
