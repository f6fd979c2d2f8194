-- CreateTable
CREATE TABLE "signer" (
    "id" UUID NOT NULL,
    "api_key_id" UUID NOT NULL,
    "printed_name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,
    "failed_attempts" INTEGER NOT NULL DEFAULT 0,
    "locked_at" TIMESTAMPTZ(3),

    CONSTRAINT "signer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "signer_password" (
    "id" UUID NOT NULL,
    "signer_id" UUID NOT NULL,
    "hash" TEXT,
    "set_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "set_by" UUID,

    CONSTRAINT "signer_password_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "signer_unlock" (
    "id" UUID NOT NULL,
    "signer_id" UUID NOT NULL,
    "unlocked_at" TIMESTAMPTZ(3) NOT NULL,
    "unlocked_by" UUID,
    "reason" TEXT NOT NULL,

    CONSTRAINT "signer_unlock_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "signature" (
    "id" UUID NOT NULL,
    "signer_id" UUID NOT NULL,
    "printed_name" TEXT NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "meaning" TEXT NOT NULL,
    "decision_kind" TEXT NOT NULL,
    "record_type" TEXT NOT NULL,
    "record_id" UUID NOT NULL,
    "content_hash" TEXT NOT NULL,
    "api_key_id" UUID,

    CONSTRAINT "signature_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "signer_api_key_id_key" ON "signer"("api_key_id");

-- CreateIndex
CREATE INDEX "signer_password_signer_id_set_at_idx" ON "signer_password"("signer_id", "set_at");

-- CreateIndex
CREATE INDEX "signer_unlock_signer_id_idx" ON "signer_unlock"("signer_id");

-- CreateIndex
CREATE INDEX "signature_signer_id_idx" ON "signature"("signer_id");

-- CreateIndex
CREATE UNIQUE INDEX "signature_record_type_record_id_decision_kind_key" ON "signature"("record_type", "record_id", "decision_kind");

-- AddForeignKey
ALTER TABLE "signer" ADD CONSTRAINT "signer_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_key"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "signer_password" ADD CONSTRAINT "signer_password_signer_id_fkey" FOREIGN KEY ("signer_id") REFERENCES "signer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "signer_unlock" ADD CONSTRAINT "signer_unlock_signer_id_fkey" FOREIGN KEY ("signer_id") REFERENCES "signer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "signature" ADD CONSTRAINT "signature_signer_id_fkey" FOREIGN KEY ("signer_id") REFERENCES "signer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
