// The chain from donor to "unit received at a clinic", written straight into the database.
// The donors and lots/units/shipments endpoints are built in parallel with administration and
// traceability; until they land, these tests seed the chain with Prisma. Swap `seedChain` for
// API calls later: its result (facilities, donor, lot, units) is all the tests rely on.
import { randomInt } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { buildDin, buildUnitCode, mod37_2 } from '../../src/domain/units/identification.ts';
import { expectProblem } from './problems.ts';
import { auditEventsWritten } from './audit-counts.ts';

export interface ChainFacilities {
  bankId: string;
  hospitalId: string;
  clinicId: string;
  fin: string;
}

export interface SeededChain {
  facilities: ChainFacilities;
  donorId: string;
  donorCode: string;
  lotId: string;
  din: string;
  /** code: as stored; typed: as printed for keyboard entry; mistyped: with a wrong check character. */
  units: { id: string; code: string; typed: string; mistyped: string }[];
  shipmentId: string;
}

const FIN_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';

export async function seedFacilities(prisma: PrismaClient): Promise<ChainFacilities> {
  const fin = `${FIN_CHARS[randomInt(FIN_CHARS.length)]}${String(randomInt(10_000)).padStart(4, '0')}`;
  const bank = await prisma.facility.create({ data: { kind: 'tissue_bank', name: `Bank ${fin}`, isbtFacilityId: fin } });
  const hospital = await prisma.facility.create({ data: { kind: 'hospital', name: `Delivery hospital ${fin}` } });
  const clinic = await prisma.facility.create({ data: { kind: 'clinic', name: `Wound clinic ${fin}` } });
  return { bankId: bank.id, hospitalId: hospital.id, clinicId: clinic.id, fin };
}

let sequence = 0;
const day = 86_400_000;

export interface ChainOptions {
  units?: number;
  /** Where the units end up; defaults to the clinic, received. */
  receivedAt?: string;
  expiresOn?: Date;
}

/** An eligible donor, one released lot, its units shipped to the clinic and received there. */
export async function seedChain(prisma: PrismaClient, facilities: ChainFacilities, options: ChainOptions = {}): Promise<SeededChain> {
  const n = options.units ?? 3;
  const now = Date.now();
  const recoveredAt = new Date(now - 30 * day);
  const expiresOn = options.expiresOn ?? new Date(new Date(now + 365 * day).toISOString().slice(0, 10));
  const destination = options.receivedAt ?? facilities.clinicId;
  sequence += 1;
  const donor = await prisma.donor.create({
    data: {
      donorCode: `D-${facilities.fin}-${sequence}`,
      deliveryFacilityId: facilities.hospitalId,
      deliveryDate: new Date(recoveredAt.toISOString().slice(0, 10)),
      gestationalAgeWeeks: 39,
      deliveryMode: 'scheduled_caesarean',
    },
  });
  await prisma.consent.create({
    data: { donorId: donor.id, formVersion: 'v3', obtainedBy: 'Nurse Ada', obtainedAt: new Date(now - 40 * day), scope: ['clinical_use'], documentRef: 'scan-1' },
  });
  for (const testCode of ['HIV_1_2_AB', 'HBSAG', 'HCV_AB', 'SYPHILIS']) {
    await prisma.screeningTest.create({
      data: {
        donorId: donor.id, testCode, method: 'CLIA', laboratoryName: 'Lab', laboratoryId: 'LAB-1',
        specimenCollectedAt: recoveredAt, result: 'negative', interpretation: 'non-reactive',
      },
    });
  }
  await prisma.medicalHistoryReview.create({ data: { donorId: donor.id, reviewedBy: 'Dr Rao', reviewedAt: recoveredAt, outcome: 'acceptable' } });
  await prisma.eligibilityDetermination.create({
    data: { donorId: donor.id, outcome: 'eligible', determinedBy: 'Dr Rao', determinedAt: new Date(now - 25 * day), basis: 'complete panel negative' },
  });
  const din = buildDin(facilities.fin, new Date(now).getUTCFullYear(), sequence);
  const lot = await prisma.lot.create({
    data: {
      din, checkCharacter: mod37_2(din), donorId: donor.id, tissueType: 'amniotic_membrane',
      bankFacilityId: facilities.bankId, recoveryFacilityId: facilities.hospitalId, recoveredAt, recoveredBy: 'Tech Lee',
      status: 'released', processingCompletedAt: new Date(now - 28 * day),
    },
  });
  const step = await prisma.processingStep.create({
    data: {
      lotId: lot.id, kind: 'rinse', startedAt: new Date(now - 29 * day), finishedAt: new Date(now - 29 * day + 3_600_000),
      operator: 'Tech Lee', facilityId: facilities.bankId, parameters: { solution: 'saline', minutes: 30 },
    },
  });
  await prisma.processingDeviation.create({ data: { lotId: lot.id, stepId: step.id, description: 'rinse 5 minutes longer', closedAt: new Date(now - 28 * day), resolution: 'no impact' } });
  await prisma.preservation.create({
    data: {
      lotId: lot.id, method: 'dehydrated', storageTempMinC: 15, storageTempMaxC: 30, storageLocation: 'Shelf A',
      preservedAt: new Date(now - 28 * day), expiresOn,
    },
  });
  await prisma.releaseDecision.create({ data: { lotId: lot.id, decision: 'released', decidedBy: 'QA Kim', decidedAt: new Date(now - 20 * day), reason: 'record review complete' } });
  const shipment = await prisma.shipment.create({
    data: { fromFacilityId: facilities.bankId, toFacilityId: destination, shippedAt: new Date(now - 10 * day), shippedBy: 'Dana', conditions: 'ambient' },
  });
  const units: SeededChain['units'] = [];
  for (let i = 0; i < n; i++) {
    const division = `A${String(i).padStart(2, '0')}`;
    const code = buildUnitCode(din, 'T0001', division);
    const unit = await prisma.unit.create({
      data: {
        code, lotId: lot.id, productCode: 'T0001', division, description: 'Amniotic membrane 2x2 cm', size: '2x2 cm', form: 'sheet',
        expiresOn, status: 'distributed', locationFacilityId: destination, createdAt: new Date(now - 19 * day),
      },
    });
    await prisma.shipmentItem.create({ data: { shipmentId: shipment.id, unitId: unit.id, receivedAcceptable: true } });
    const check = mod37_2(din);
    const wrong = check === 'A' ? 'B' : 'A';
    units.push({ id: unit.id, code, typed: `${din.slice(0, 5)} ${din.slice(5, 7)} ${din.slice(7)} ${check} T0001 ${division}`, mistyped: `${din}${wrong}T0001${division}` });
  }
  await prisma.shipmentReceipt.create({
    data: { shipmentId: shipment.id, receivedAt: new Date(now - 9 * day), receivedBy: 'Nurse Joy', conditionAcceptable: true, temperatureAcceptable: true },
  });
  return { facilities, donorId: donor.id, donorCode: donor.donorCode, lotId: lot.id, din, units, shipmentId: shipment.id };
}

/** Row counts of every table these capabilities write, the states they change, and the audit events: to show a refusal wrote nothing. */
export async function writtenCounts(prisma: PrismaClient) {
  const [patients, administrations, superseded, dispositions, reactions, closedInvestigations, recalls, recallItems, audit] = await Promise.all([
    prisma.patient.count(), prisma.administration.count(), prisma.administration.count({ where: { supersededAt: { not: null } } }),
    prisma.disposition.count(), prisma.adverseReaction.count(), prisma.adverseReaction.count({ where: { investigationClosedAt: { not: null } } }),
    prisma.recall.count(), prisma.recallItem.count(), auditEventsWritten(prisma),
  ]);
  const statuses = await prisma.unit.findMany({ select: { id: true, status: true, locationFacilityId: true }, orderBy: { id: 'asc' } });
  const lotStatuses = await prisma.lot.findMany({ select: { id: true, status: true }, orderBy: { id: 'asc' } });
  return { patients, administrations, superseded, dispositions, reactions, closedInvestigations, recalls, recallItems, audit, statuses, lotStatuses };
}

/** Runs a request that must be refused with the given problem, shows that it wrote nothing, and returns the problem. */
export async function expectRefusedWithoutWrites(prisma: PrismaClient, request: () => Promise<LightMyRequestResponse>, status: number, code: string) {
  const before = await writtenCounts(prisma);
  const body = expectProblem(await request(), status, code);
  expect(await writtenCounts(prisma)).toEqual(before);
  return body;
}

export const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
