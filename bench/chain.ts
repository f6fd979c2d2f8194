// Traceability at the size of a real recall: one donor, one lot split into many units, half
// of them shipped to a clinic, some administered. Times the traces and the recall.
import { createEligibleDonor } from '../tests/support/donor-fixtures.ts';
import type { TestApp } from '../tests/support/test-app.ts';
import { signed } from '../tests/support/signing.ts';
import { round, timed, type Benchmark } from './timing.ts';

const UNITS = 400;
const SHIPPED = 200;
const ADMINISTERED = 50;
const DAY = 86_400_000;
const iso = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString();
/** Each step of a lot's life is recorded as it happens: after the one before (chronology.ts). */
const now = () => new Date().toISOString();

async function ok(res: Promise<{ statusCode: number; body: string; json(): any }>, status: number) {
  const r = await res;
  if (r.statusCode !== status) throw new Error(`bench setup failed: ${r.statusCode} ${r.body}`);
  return r.json();
}

async function buildChain(t: TestApp) {
  const admin = t.admin;
  const bank = await ok(admin.post('/facilities', { kind: 'tissue_bank', name: 'Bench bank', isbtFacilityId: 'B0001' }), 201);
  const clinic = await ok(admin.post('/facilities', { kind: 'clinic', name: 'Bench clinic' }), 201);
  const coordinator = await t.keyFor('coordinator');
  const quality = await t.keyFor('quality');
  const clinician = await t.keyFor('clinician', { facilityId: clinic.id });
  const { donor, deliveryFacility, recoveredAt } = await createEligibleDonor(t);
  const lot = await ok(coordinator.post('/lots', { donorId: donor.id, tissueType: 'amniotic_membrane', bankFacilityId: bank.id, recoveryFacilityId: deliveryFacility.id, recoveredAt, recoveredBy: 'Bench' }), 201);
  await ok(coordinator.post(`/lots/${lot.id}/processing-steps`, { kind: 'rinse', startedAt: iso(-1), finishedAt: iso(-0.9), operator: 'Bench', facilityId: bank.id, parameters: { solution: 'saline', volumeMl: 100 } }), 201);
  await ok(coordinator.post(`/lots/${lot.id}/processing-completion`, {}), 200);
  await ok(coordinator.post(`/lots/${lot.id}/preservation`, { method: 'dehydrated', storageTempMinC: 15, storageTempMaxC: 30, storageLocation: 'B', preservedAt: now(), expiresOn: iso(700).slice(0, 10) }), 201);
  await ok(quality.post(`/lots/${lot.id}/release`, { decidedAt: now(), reason: 'bench', ...signed('approval') }), 201);
  const unit = { productCode: 'T0001', description: 'Dehydrated amniotic membrane', form: 'sheet', expiresOn: iso(365).slice(0, 10) };
  const units = (await ok(coordinator.post(`/lots/${lot.id}/units`, { units: Array.from({ length: UNITS }, () => unit) }), 201)).items as { code: string }[];
  const shipment = await ok(coordinator.post('/shipments', { fromFacilityId: bank.id, toFacilityId: clinic.id, unitCodes: units.slice(0, SHIPPED).map((u) => u.code), shippedAt: now(), conditions: 'ambient' }), 201);
  await ok(clinician.post(`/shipments/${shipment.id}/receipt`, { receivedAt: now(), conditionAcceptable: true, temperatureAcceptable: true }), 201);
  for (let i = 0; i < ADMINISTERED; i++) {
    const patient = await ok(clinician.post('/patients', { medicalRecordNumber: `BENCH-${i}` }), 201);
    await ok(clinician.post('/administrations', { unitCode: units[i]!.code, patientId: patient.id, administeredAt: now(), anatomicalSite: 'knee', indication: 'knee_osteoarthritis' }), 201);
  }
  return { donor, lot, units, quality };
}

export const traceAtScale: Benchmark = async (t) => {
  const { donor, lot, units, quality } = await buildChain(t);
  const auditor = await t.keyFor('auditor');
  const median = async (url: string, runs = 7) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push((await timed(() => ok(auditor.get(url), 200))).ms);
    return round(times.sort((a, b) => a - b)[Math.floor(runs / 2)]!);
  };
  const label = `${UNITS} units, ${ADMINISTERED} administered`;
  const figures = [
    { name: `lot trace forward (${label}), median`, value: await median(`/lots/${lot.id}/trace`), unit: 'ms' },
    { name: `donor trace forward (${label}), median`, value: await median(`/donors/${donor.id}/trace`), unit: 'ms' },
    { name: 'unit trace backward, median', value: await median(`/units/${units[0]!.code}/trace`), unit: 'ms' },
  ];
  const recall = await timed(() => ok(quality.post('/recalls', { scope: 'lot', lotId: lot.id, reason: 'bench', ...signed('responsibility') }), 201));
  figures.push({ name: `recall of the lot (${UNITS - ADMINISTERED} units held in one transaction)`, value: round(recall.ms), unit: 'ms' });
  return figures;
};
