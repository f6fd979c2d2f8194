// Patients, identified by facility plus medical record number. A clinician's patients are the
// patients of the clinician's facility; another facility's patient does not exist for them.
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { DomainError, notFound, ruleViolation } from '../shared/errors.ts';
import type { RequestContext } from '../shared/context.ts';
import type { RunCommand } from '../shared/transaction.ts';
import { canSee, confinedFacility, listedFacility } from '../shared/facility-scope.ts';
import { pageOf, pageWindow, type PageQuery } from '../shared/pagination.ts';

const PATIENT_FACILITY_KINDS = ['clinic', 'hospital'];

export function createPatientService({ prisma, runCommand }: { prisma: PrismaClient; runCommand: RunCommand }) {
  function facilityFor(ctx: RequestContext, named?: string): string {
    const confined = confinedFacility(ctx);
    if (confined) return confined;
    if (!named) throw ruleViolation('Name the facility the patient belongs to (facilityId): only a clinician’s patients belong to her facility by default.', { field: 'facilityId' });
    return named;
  }

  async function create(ctx: RequestContext, input: { medicalRecordNumber: string; facilityId?: string }) {
    const facilityId = facilityFor(ctx, input.facilityId ?? ctx.actor.facilityId ?? undefined);
    return runCommand(ctx, async ({ tx, audit }) => {
      const facility = await tx.facility.findUnique({ where: { id: facilityId } });
      if (!facility) throw notFound('Facility', facilityId);
      if (!PATIENT_FACILITY_KINDS.includes(facility.kind)) {
        throw ruleViolation(`Patients are registered at a clinic or hospital; facility ${facilityId} is a ${facility.kind}.`, { field: 'facilityId' });
      }
      const existing = await tx.patient.findUnique({
        where: { facilityId_medicalRecordNumber: { facilityId, medicalRecordNumber: input.medicalRecordNumber } },
      });
      // The detail names the existing record, never the medical record number.
      if (existing) throw new DomainError('conflict', `That medical record number is already registered as patient ${existing.id}.`, { existingId: existing.id });
      const patient = await tx.patient.create({
        data: { facilityId, medicalRecordNumber: input.medicalRecordNumber, createdBy: ctx.actor.keyId },
      });
      // The audit trail keeps the id and facility; the number stays in the patient table only.
      await audit({ action: 'patient.created', entityType: 'patient', entityId: patient.id, after: { id: patient.id, facilityId } });
      return patient;
    });
  }

  async function get(ctx: RequestContext, id: string) {
    const patient = await prisma.patient.findUnique({ where: { id } });
    if (!patient || !canSee(ctx, patient.facilityId)) throw notFound('Patient', id);
    return patient;
  }

  /** A facility's patients in registration order, or the one with a medical record number; a clinician's are her facility's. */
  async function find(ctx: RequestContext, query: PageQuery & { medicalRecordNumber?: string; facilityId?: string }) {
    const facilityId = listedFacility(ctx, query.facilityId);
    const rows = await prisma.patient.findMany({
      where: { medicalRecordNumber: query.medicalRecordNumber, facilityId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      ...pageWindow(query),
    });
    return pageOf(rows, query.limit);
  }

  return { create, get, find };
}

export type PatientService = ReturnType<typeof createPatientService>;
