// Setup for lots, units and shipments: facilities and keys through the API, and (until the
// donor endpoints are used here) an eligible donor written straight into the database.
import { expect } from 'vitest';
import { DEFAULT_PANEL } from '../../src/domain/donors/screening-panel.ts';
import type { TestApp } from './test-app.ts';
import { auditEventsWritten } from './audit-counts.ts';
import { signed } from './signing.ts';

type Key = Awaited<ReturnType<TestApp['keyFor']>>;

export interface Bank {
  bankId: string;
  hospitalId: string;
  clinicId: string;
  otherClinicId: string;
  coordinator: Key;
  quality: Key;
  clinician: Key;
  otherClinician: Key;
  auditor: Key;
}

const DAY = 86_400_000;
export const daysFromNow = (days: number) => new Date(Date.now() + days * DAY);
export const dateOnly = (d: Date) => d.toISOString().slice(0, 10);

async function facility(t: TestApp, body: object): Promise<string> {
  const res = await t.admin.post('/facilities', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

let finCounter = 0;

export async function setupBank(t: TestApp, options: { euCode?: string | null } = {}): Promise<Bank> {
  finCounter++;
  const bankId = await facility(t, {
    kind: 'tissue_bank',
    name: 'Placenta Tissue Bank',
    registrationNumber: '3012345678',
    isbtFacilityId: `W${String(1000 + finCounter).padStart(4, '0')}`,
    ...(options.euCode === null ? {} : { euTissueEstablishmentCode: options.euCode ?? `BE${String(finCounter).padStart(6, '0')}` }),
  });
  const hospitalId = await facility(t, { kind: 'hospital', name: 'Maternity hospital' });
  const clinicId = await facility(t, { kind: 'clinic', name: 'Wound clinic' });
  const otherClinicId = await facility(t, { kind: 'clinic', name: 'Other clinic' });
  return {
    bankId,
    hospitalId,
    clinicId,
    otherClinicId,
    coordinator: await t.keyFor('coordinator', { holderName: 'Dana Reyes' }),
    quality: await t.keyFor('quality', { holderName: 'Quinn Abara' }),
    clinician: await t.keyFor('clinician', { facilityId: clinicId, holderName: 'Dr. Lee' }),
    otherClinician: await t.keyFor('clinician', { facilityId: otherClinicId, holderName: 'Dr. Other' }),
    auditor: await t.keyFor('auditor'),
  };
}

let donorCounter = 0;

/** A donor with consent, a full negative panel around `recoveredAt`, a history review and an eligible determination. */
export async function seedEligibleDonor(
  t: TestApp,
  { deliveryFacilityId, recoveredAt = daysFromNow(-2), panel = DEFAULT_PANEL, eligible = true, consent = true }: { deliveryFacilityId: string; recoveredAt?: Date; panel?: string[]; eligible?: boolean; consent?: boolean },
) {
  const { prisma } = t.database;
  donorCounter++;
  const donor = await prisma.donor.create({
    data: { donorCode: `DNR-${Date.now()}-${donorCounter}`, deliveryFacilityId, deliveryDate: new Date(dateOnly(recoveredAt)), gestationalAgeWeeks: 39, deliveryMode: 'scheduled_caesarean' },
  });
  if (consent) {
    await prisma.consent.create({
      data: { donorId: donor.id, formVersion: 'v3', obtainedBy: 'Nurse A', obtainedAt: new Date(recoveredAt.getTime() - 10 * DAY), scope: ['clinical_use'], documentRef: 'DOC-1' },
    });
  }
  for (const testCode of panel) {
    await prisma.screeningTest.create({
      data: { donorId: donor.id, testCode, method: 'CLIA', laboratoryName: 'Lab', laboratoryId: 'LAB-1', specimenCollectedAt: recoveredAt, result: 'negative', interpretation: 'non-reactive' },
    });
  }
  await prisma.medicalHistoryReview.create({ data: { donorId: donor.id, reviewedBy: 'Dr. Review', reviewedAt: recoveredAt, outcome: 'acceptable' } });
  if (eligible) {
    await prisma.eligibilityDetermination.create({
      data: { donorId: donor.id, outcome: 'eligible', determinedBy: 'Dr. Medical Director', determinedAt: recoveredAt, basis: 'complete negative panel' },
    });
  }
  return donor;
}

export async function createLot(t: TestApp, bank: Bank, overrides: Record<string, unknown> = {}) {
  const recoveredAt = (overrides.recoveredAt as string | undefined) ?? daysFromNow(-2).toISOString();
  const donorId = (overrides.donorId as string | undefined) ?? (await seedEligibleDonor(t, { deliveryFacilityId: bank.hospitalId, recoveredAt: new Date(recoveredAt) })).id;
  const res = await bank.coordinator.post('/lots', {
    donorId,
    tissueType: 'amniotic_membrane',
    bankFacilityId: bank.bankId,
    recoveryFacilityId: bank.hospitalId,
    recoveredAt,
    recoveredBy: 'Recovery technician',
    ...overrides,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export const rinseStep = (bank: Bank, extra: Record<string, unknown> = {}) => ({
  kind: 'rinse',
  startedAt: daysFromNow(-1).toISOString(),
  finishedAt: new Date(daysFromNow(-1).getTime() + 3_600_000).toISOString(),
  operator: 'Tech One',
  facilityId: bank.bankId,
  parameters: { solution: 'saline 0.9%', volumeMl: 500 },
  ...extra,
});

/** Preserved now: after the steps and the completion (chronology.ts). */
export const preservationBody = (expiresInDays = 730) => ({
  method: 'dehydrated',
  storageTempMinC: 15,
  storageTempMaxC: 30,
  storageLocation: 'Room B, shelf 3',
  preservedAt: new Date().toISOString(),
  expiresOn: dateOnly(daysFromNow(expiresInDays)),
});

/** A lot processed (by the coordinator), complete and preserved: ready for a QA decision. */
export async function readyLot(t: TestApp, bank: Bank, overrides: Record<string, unknown> = {}) {
  const lot = await createLot(t, bank, overrides);
  await ok(bank.coordinator.post(`/lots/${lot.id}/processing-steps`, rinseStep(bank)), 201);
  await ok(bank.coordinator.post(`/lots/${lot.id}/processing-completion`, {}), 200);
  await ok(bank.coordinator.post(`/lots/${lot.id}/preservation`, preservationBody()), 201);
  return lot;
}

export async function releasedLot(t: TestApp, bank: Bank, overrides: Record<string, unknown> = {}) {
  const lot = await readyLot(t, bank, overrides);
  await ok(bank.quality.post(`/lots/${lot.id}/release`, { decidedAt: new Date().toISOString(), reason: 'Record review complete', ...signed('approval') }), 201);
  return lot;
}

export async function splitUnits(bank: Bank, lotId: string, count: number, productCode = 'T0001') {
  const units = Array.from({ length: count }, () => ({ productCode, description: 'Dehydrated amniotic membrane', size: '2 x 3 cm', form: 'sheet', expiresOn: dateOnly(daysFromNow(365)) }));
  const res = await bank.coordinator.post(`/lots/${lotId}/units`, { units });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().items as { id: string; code: string; printedCode: string; checkCharacter: string; status: string }[];
}

export async function ok(promise: Promise<{ statusCode: number; body: string; json(): any }>, status: number) {
  const res = await promise;
  expect(res.statusCode, res.body).toBe(status);
  return res.json();
}

/** Everything a refused request could have written: row counts and the current-state columns. */
export async function snapshot(t: TestApp) {
  const p = t.database.prisma;
  const [counts, lots, units] = await Promise.all([
    Promise.all([
      p.lot.count(),
      p.dinSequence.findMany(),
      p.processingStep.count(),
      p.processingDeviation.findMany({ select: { id: true, closedAt: true } }),
      p.preservation.count(),
      p.releaseDecision.count(),
      p.unit.count(),
      p.shipment.count(),
      p.shipmentItem.findMany({ select: { id: true, receivedAcceptable: true } }),
      p.shipmentReceipt.count(),
      auditEventsWritten(p),
    ]),
    p.lot.findMany({ select: { id: true, status: true, processingCompletedAt: true }, orderBy: { id: 'asc' } }),
    p.unit.findMany({ select: { id: true, status: true, locationFacilityId: true, inTransitShipmentId: true }, orderBy: { id: 'asc' } }),
  ]);
  return JSON.parse(JSON.stringify({ counts, lots, units }));
}

/** Runs a refused request and asserts it wrote nothing. */
export async function refusedWithoutWrites<T>(t: TestApp, request: () => Promise<T>): Promise<T> {
  const before = await snapshot(t);
  const res = await request();
  expect(await snapshot(t)).toEqual(before);
  return res;
}
