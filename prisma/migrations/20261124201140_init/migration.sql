-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'coordinator', 'quality', 'clinician', 'auditor');

-- CreateEnum
CREATE TYPE "FacilityKind" AS ENUM ('tissue_bank', 'processor', 'clinic', 'hospital', 'laboratory');

-- CreateEnum
CREATE TYPE "ProductStatus" AS ENUM ('quarantine', 'released', 'distributed', 'administered', 'discarded', 'rejected', 'on_hold', 'recalled', 'expired');

-- CreateTable
CREATE TABLE "api_key" (
    "id" UUID NOT NULL,
    "holder_name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "facility_id" UUID,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by" UUID,

    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "seq" BIGINT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "actor_key_id" UUID,
    "actor_name" TEXT NOT NULL,
    "actor_role" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "reason" TEXT,
    "request_id" TEXT,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "facility" (
    "id" UUID NOT NULL,
    "kind" "FacilityKind" NOT NULL,
    "name" TEXT NOT NULL,
    "registration_number" TEXT,
    "isbt_facility_id" TEXT,
    "eu_tissue_establishment_code" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "facility_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "donor" (
    "id" UUID NOT NULL,
    "donor_code" TEXT NOT NULL,
    "delivery_facility_id" UUID NOT NULL,
    "delivery_date" DATE NOT NULL,
    "gestational_age_weeks" INTEGER NOT NULL,
    "delivery_mode" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "donor_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "consent" (
    "id" UUID NOT NULL,
    "donor_id" UUID NOT NULL,
    "form_version" TEXT NOT NULL,
    "obtained_by" TEXT NOT NULL,
    "obtained_at" TIMESTAMPTZ(3) NOT NULL,
    "scope" TEXT[],
    "document_ref" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "consent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "consent_withdrawal" (
    "id" UUID NOT NULL,
    "consent_id" UUID NOT NULL,
    "withdrawn_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "consent_withdrawal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "screening_test" (
    "id" UUID NOT NULL,
    "donor_id" UUID NOT NULL,
    "test_code" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "laboratory_name" TEXT NOT NULL,
    "laboratory_id" TEXT NOT NULL,
    "specimen_collected_at" TIMESTAMPTZ(3) NOT NULL,
    "result" TEXT NOT NULL,
    "interpretation" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "screening_test_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "medical_history_review" (
    "id" UUID NOT NULL,
    "donor_id" UUID NOT NULL,
    "reviewed_by" TEXT NOT NULL,
    "reviewed_at" TIMESTAMPTZ(3) NOT NULL,
    "outcome" TEXT NOT NULL,
    "notes" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "medical_history_review_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "eligibility_determination" (
    "id" UUID NOT NULL,
    "donor_id" UUID NOT NULL,
    "outcome" TEXT NOT NULL,
    "determined_by" TEXT NOT NULL,
    "determined_at" TIMESTAMPTZ(3) NOT NULL,
    "basis" TEXT NOT NULL,
    "superseded_at" TIMESTAMPTZ(3),
    "superseded_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "eligibility_determination_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "correction" (
    "id" UUID NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" UUID NOT NULL,
    "field" TEXT NOT NULL,
    "old_value" JSONB,
    "new_value" JSONB,
    "reason_code" TEXT NOT NULL,
    "reason_text" TEXT NOT NULL,
    "corrected_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "corrected_by" UUID,

    CONSTRAINT "correction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "din_sequence" (
    "facility_identifier" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "last_sequence" INTEGER NOT NULL,

    CONSTRAINT "din_sequence_pkey" PRIMARY KEY ("facility_identifier","year")
);

-- CreateTable
CREATE TABLE "lot" (
    "id" UUID NOT NULL,
    "din" TEXT NOT NULL,
    "check_character" TEXT NOT NULL,
    "eu_donation_sequence" TEXT,
    "donor_id" UUID NOT NULL,
    "tissue_type" TEXT NOT NULL,
    "bank_facility_id" UUID NOT NULL,
    "recovery_facility_id" UUID NOT NULL,
    "recovered_at" TIMESTAMPTZ(3) NOT NULL,
    "recovered_by" TEXT NOT NULL,
    "status" "ProductStatus" NOT NULL DEFAULT 'quarantine',
    "processing_completed_at" TIMESTAMPTZ(3),
    "processing_completed_by" UUID,
    "review_flagged_at" TIMESTAMPTZ(3),
    "review_flag_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "lot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "processing_step" (
    "id" UUID NOT NULL,
    "lot_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3) NOT NULL,
    "operator" TEXT NOT NULL,
    "facility_id" UUID NOT NULL,
    "parameters" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "processing_step_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "processing_deviation" (
    "id" UUID NOT NULL,
    "lot_id" UUID NOT NULL,
    "step_id" UUID NOT NULL,
    "description" TEXT NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),
    "closed_by" UUID,
    "resolution" TEXT,

    CONSTRAINT "processing_deviation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "preservation" (
    "id" UUID NOT NULL,
    "lot_id" UUID NOT NULL,
    "method" TEXT NOT NULL,
    "storage_temp_min_c" DECIMAL(6,2) NOT NULL,
    "storage_temp_max_c" DECIMAL(6,2) NOT NULL,
    "storage_location" TEXT NOT NULL,
    "preserved_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_on" DATE NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "preservation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "release_decision" (
    "id" UUID NOT NULL,
    "lot_id" UUID NOT NULL,
    "decision" TEXT NOT NULL,
    "decided_by" TEXT NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "release_decision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "unit" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "lot_id" UUID NOT NULL,
    "product_code" TEXT NOT NULL,
    "division" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "size" TEXT,
    "volume_ml" DECIMAL(8,2),
    "form" TEXT NOT NULL,
    "expires_on" DATE NOT NULL,
    "status" "ProductStatus" NOT NULL DEFAULT 'quarantine',
    "location_facility_id" UUID,
    "in_transit_shipment_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "unit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shipment" (
    "id" UUID NOT NULL,
    "from_facility_id" UUID NOT NULL,
    "to_facility_id" UUID NOT NULL,
    "shipped_at" TIMESTAMPTZ(3) NOT NULL,
    "shipped_by" TEXT NOT NULL,
    "conditions" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "shipment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shipment_item" (
    "id" UUID NOT NULL,
    "shipment_id" UUID NOT NULL,
    "unit_id" UUID NOT NULL,
    "received_acceptable" BOOLEAN,

    CONSTRAINT "shipment_item_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shipment_receipt" (
    "id" UUID NOT NULL,
    "shipment_id" UUID NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "received_by" TEXT NOT NULL,
    "condition_acceptable" BOOLEAN NOT NULL,
    "temperature_acceptable" BOOLEAN NOT NULL,
    "notes" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "shipment_receipt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "patient" (
    "id" UUID NOT NULL,
    "facility_id" UUID NOT NULL,
    "medical_record_number" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "patient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "administration" (
    "id" UUID NOT NULL,
    "unit_id" UUID NOT NULL,
    "active_unit_id" UUID,
    "patient_id" UUID NOT NULL,
    "facility_id" UUID NOT NULL,
    "administered_at" TIMESTAMPTZ(3) NOT NULL,
    "clinician" TEXT NOT NULL,
    "anatomical_site" TEXT NOT NULL,
    "indication" TEXT NOT NULL,
    "notes" TEXT,
    "corrects_id" UUID,
    "correction_reason_code" TEXT,
    "correction_reason" TEXT,
    "superseded_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "administration_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "disposition" (
    "id" UUID NOT NULL,
    "unit_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "reason_code" TEXT NOT NULL,
    "reason_text" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "facility_id" UUID NOT NULL,
    "recorded_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "disposition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adverse_reaction" (
    "id" UUID NOT NULL,
    "administration_id" UUID NOT NULL,
    "onset_at" TIMESTAMPTZ(3) NOT NULL,
    "description" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "suspected_communicable_disease" BOOLEAN NOT NULL,
    "reported_by" TEXT NOT NULL,
    "reported_at" TIMESTAMPTZ(3) NOT NULL,
    "report_due_on" DATE NOT NULL,
    "investigation_closed_at" TIMESTAMPTZ(3),
    "investigation_outcome" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,

    CONSTRAINT "adverse_reaction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recall" (
    "id" UUID NOT NULL,
    "scope" TEXT NOT NULL,
    "lot_id" UUID,
    "donor_id" UUID,
    "reason" TEXT NOT NULL,
    "initiated_by" TEXT NOT NULL,
    "initiated_at" TIMESTAMPTZ(3) NOT NULL,
    "created_by" UUID,

    CONSTRAINT "recall_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recall_item" (
    "id" UUID NOT NULL,
    "recall_id" UUID NOT NULL,
    "unit_id" UUID NOT NULL,
    "unit_code" TEXT NOT NULL,
    "status_at_recall" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "facility_id" UUID,
    "patient_id" UUID,

    CONSTRAINT "recall_item_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_key_prefix_key" ON "api_key"("prefix");

-- CreateIndex
CREATE UNIQUE INDEX "audit_event_hash_key" ON "audit_event"("hash");

-- CreateIndex
CREATE INDEX "audit_event_entity_type_entity_id_idx" ON "audit_event"("entity_type", "entity_id");

-- CreateIndex
CREATE UNIQUE INDEX "facility_isbt_facility_id_key" ON "facility"("isbt_facility_id");

-- CreateIndex
CREATE UNIQUE INDEX "facility_eu_tissue_establishment_code_key" ON "facility"("eu_tissue_establishment_code");

-- CreateIndex
CREATE INDEX "facility_kind_created_at_idx" ON "facility"("kind", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "donor_donor_code_key" ON "donor"("donor_code");

-- CreateIndex
CREATE INDEX "donor_delivery_facility_id_idx" ON "donor"("delivery_facility_id");

-- CreateIndex
CREATE INDEX "donor_created_at_id_idx" ON "donor"("created_at", "id");

-- CreateIndex
CREATE INDEX "consent_donor_id_idx" ON "consent"("donor_id");

-- CreateIndex
CREATE UNIQUE INDEX "consent_withdrawal_consent_id_key" ON "consent_withdrawal"("consent_id");

-- CreateIndex
CREATE INDEX "screening_test_donor_id_idx" ON "screening_test"("donor_id");

-- CreateIndex
CREATE INDEX "medical_history_review_donor_id_idx" ON "medical_history_review"("donor_id");

-- CreateIndex
CREATE INDEX "eligibility_determination_donor_id_idx" ON "eligibility_determination"("donor_id");

-- CreateIndex
CREATE INDEX "correction_entity_type_entity_id_idx" ON "correction"("entity_type", "entity_id");

-- CreateIndex
CREATE UNIQUE INDEX "lot_din_key" ON "lot"("din");

-- CreateIndex
CREATE INDEX "lot_donor_id_idx" ON "lot"("donor_id");

-- CreateIndex
CREATE INDEX "lot_status_idx" ON "lot"("status");

-- CreateIndex
CREATE INDEX "processing_step_lot_id_idx" ON "processing_step"("lot_id");

-- CreateIndex
CREATE INDEX "processing_deviation_lot_id_idx" ON "processing_deviation"("lot_id");

-- CreateIndex
CREATE INDEX "preservation_lot_id_idx" ON "preservation"("lot_id");

-- CreateIndex
CREATE INDEX "release_decision_lot_id_idx" ON "release_decision"("lot_id");

-- CreateIndex
CREATE UNIQUE INDEX "unit_code_key" ON "unit"("code");

-- CreateIndex
CREATE INDEX "unit_status_location_facility_id_idx" ON "unit"("status", "location_facility_id");

-- CreateIndex
CREATE INDEX "unit_expires_on_idx" ON "unit"("expires_on");

-- CreateIndex
CREATE UNIQUE INDEX "unit_lot_id_product_code_division_key" ON "unit"("lot_id", "product_code", "division");

-- CreateIndex
CREATE INDEX "shipment_item_unit_id_idx" ON "shipment_item"("unit_id");

-- CreateIndex
CREATE UNIQUE INDEX "shipment_item_shipment_id_unit_id_key" ON "shipment_item"("shipment_id", "unit_id");

-- CreateIndex
CREATE UNIQUE INDEX "shipment_receipt_shipment_id_key" ON "shipment_receipt"("shipment_id");

-- CreateIndex
CREATE UNIQUE INDEX "patient_facility_id_medical_record_number_key" ON "patient"("facility_id", "medical_record_number");

-- CreateIndex
CREATE UNIQUE INDEX "administration_active_unit_id_key" ON "administration"("active_unit_id");

-- CreateIndex
CREATE UNIQUE INDEX "administration_corrects_id_key" ON "administration"("corrects_id");

-- CreateIndex
CREATE INDEX "administration_unit_id_idx" ON "administration"("unit_id");

-- CreateIndex
CREATE INDEX "administration_patient_id_idx" ON "administration"("patient_id");

-- CreateIndex
CREATE INDEX "disposition_unit_id_idx" ON "disposition"("unit_id");

-- CreateIndex
CREATE INDEX "adverse_reaction_investigation_closed_at_report_due_on_idx" ON "adverse_reaction"("investigation_closed_at", "report_due_on");

-- CreateIndex
CREATE UNIQUE INDEX "recall_item_recall_id_unit_id_key" ON "recall_item"("recall_id", "unit_id");

-- AddForeignKey
ALTER TABLE "api_key" ADD CONSTRAINT "api_key_facility_id_fkey" FOREIGN KEY ("facility_id") REFERENCES "facility"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "donor" ADD CONSTRAINT "donor_delivery_facility_id_fkey" FOREIGN KEY ("delivery_facility_id") REFERENCES "facility"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consent" ADD CONSTRAINT "consent_donor_id_fkey" FOREIGN KEY ("donor_id") REFERENCES "donor"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consent_withdrawal" ADD CONSTRAINT "consent_withdrawal_consent_id_fkey" FOREIGN KEY ("consent_id") REFERENCES "consent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "screening_test" ADD CONSTRAINT "screening_test_donor_id_fkey" FOREIGN KEY ("donor_id") REFERENCES "donor"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "medical_history_review" ADD CONSTRAINT "medical_history_review_donor_id_fkey" FOREIGN KEY ("donor_id") REFERENCES "donor"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "eligibility_determination" ADD CONSTRAINT "eligibility_determination_donor_id_fkey" FOREIGN KEY ("donor_id") REFERENCES "donor"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lot" ADD CONSTRAINT "lot_donor_id_fkey" FOREIGN KEY ("donor_id") REFERENCES "donor"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lot" ADD CONSTRAINT "lot_bank_facility_id_fkey" FOREIGN KEY ("bank_facility_id") REFERENCES "facility"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lot" ADD CONSTRAINT "lot_recovery_facility_id_fkey" FOREIGN KEY ("recovery_facility_id") REFERENCES "facility"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "processing_step" ADD CONSTRAINT "processing_step_lot_id_fkey" FOREIGN KEY ("lot_id") REFERENCES "lot"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "processing_step" ADD CONSTRAINT "processing_step_facility_id_fkey" FOREIGN KEY ("facility_id") REFERENCES "facility"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "processing_deviation" ADD CONSTRAINT "processing_deviation_lot_id_fkey" FOREIGN KEY ("lot_id") REFERENCES "lot"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "processing_deviation" ADD CONSTRAINT "processing_deviation_step_id_fkey" FOREIGN KEY ("step_id") REFERENCES "processing_step"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "preservation" ADD CONSTRAINT "preservation_lot_id_fkey" FOREIGN KEY ("lot_id") REFERENCES "lot"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "release_decision" ADD CONSTRAINT "release_decision_lot_id_fkey" FOREIGN KEY ("lot_id") REFERENCES "lot"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "unit" ADD CONSTRAINT "unit_lot_id_fkey" FOREIGN KEY ("lot_id") REFERENCES "lot"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "unit" ADD CONSTRAINT "unit_location_facility_id_fkey" FOREIGN KEY ("location_facility_id") REFERENCES "facility"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "unit" ADD CONSTRAINT "unit_in_transit_shipment_id_fkey" FOREIGN KEY ("in_transit_shipment_id") REFERENCES "shipment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "shipment" ADD CONSTRAINT "shipment_from_facility_id_fkey" FOREIGN KEY ("from_facility_id") REFERENCES "facility"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "shipment" ADD CONSTRAINT "shipment_to_facility_id_fkey" FOREIGN KEY ("to_facility_id") REFERENCES "facility"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "shipment_item" ADD CONSTRAINT "shipment_item_shipment_id_fkey" FOREIGN KEY ("shipment_id") REFERENCES "shipment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "shipment_item" ADD CONSTRAINT "shipment_item_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "shipment_receipt" ADD CONSTRAINT "shipment_receipt_shipment_id_fkey" FOREIGN KEY ("shipment_id") REFERENCES "shipment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "patient" ADD CONSTRAINT "patient_facility_id_fkey" FOREIGN KEY ("facility_id") REFERENCES "facility"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "administration" ADD CONSTRAINT "administration_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "administration" ADD CONSTRAINT "administration_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "administration" ADD CONSTRAINT "administration_facility_id_fkey" FOREIGN KEY ("facility_id") REFERENCES "facility"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "administration" ADD CONSTRAINT "administration_corrects_id_fkey" FOREIGN KEY ("corrects_id") REFERENCES "administration"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "disposition" ADD CONSTRAINT "disposition_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "disposition" ADD CONSTRAINT "disposition_facility_id_fkey" FOREIGN KEY ("facility_id") REFERENCES "facility"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adverse_reaction" ADD CONSTRAINT "adverse_reaction_administration_id_fkey" FOREIGN KEY ("administration_id") REFERENCES "administration"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recall_item" ADD CONSTRAINT "recall_item_recall_id_fkey" FOREIGN KEY ("recall_id") REFERENCES "recall"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The audit trail is append-only: refuse UPDATE, DELETE and TRUNCATE at the database itself.
CREATE FUNCTION audit_event_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_event_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_event"
  FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();

CREATE TRIGGER audit_event_no_truncate
  BEFORE TRUNCATE ON "audit_event"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only();
