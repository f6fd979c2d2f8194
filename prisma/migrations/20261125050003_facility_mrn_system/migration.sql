-- AlterTable
ALTER TABLE "facility" ADD COLUMN     "medical_record_number_system" TEXT;
