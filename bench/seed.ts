// What the read benchmarks read, recorded through the running service's API as a bank and a
// clinic would: eligible donors, a lot each split into units, half shipped to a clinic and
// received, some administered to patients. Returns the ids and codes the reads rotate over.
import { createEligibleDonor } from '../tests/support/donor-fixtures.ts';
import type { Client, TestApp } from '../tests/support/test-app.ts';
import { signed, TEST_SIGNING_PASSWORD } from '../tests/support/signing.ts';

const DAY = 86_400_000;
const iso = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString();
/** Each step of a lot's life is recorded as it happens: after the one before (chronology.ts). */
const now = () => new Date().toISOString();

/** The test fixtures' client, over HTTP to a running service. */
export function httpClient(origin: string, key: string | null): Client {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  const call = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${origin}${url}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { statusCode: res.status, body: text, headers: {}, json: () => JSON.parse(text) };
  };
  return {
    get: (url) => call('GET', url) as never,
    post: (url, body) => call('POST', url, body ?? {}) as never,
  };
}

async function ok(res: Promise<{ statusCode: number; body: string; json(): any }>, status: number) {
  const r = await res;
  if (r.statusCode !== status) throw new Error(`bench setup failed: ${r.statusCode} ${r.body}`);
  return r.json();
}

export interface ReadWorld {
  auditorKey: string;
  bankId: string;
  clinicId: string;
  unitCodes: string[];
  administeredCodes: string[];
  lotIds: string[];
  donorIds: string[];
  patientIds: string[];
}

export interface SeedShape {
  donors: number;
  unitsPerLot: number;
  shippedPerLot: number;
  administeredPerLot: number;
}

export const DEFAULT_SHAPE: SeedShape = { donors: 4, unitsPerLot: 24, shippedPerLot: 12, administeredPerLot: 6 };

export async function seedReadWorld(origin: string, adminKey: string, shape: SeedShape = DEFAULT_SHAPE): Promise<ReadWorld> {
  const admin = httpClient(origin, adminKey);
  const keyFor = async (role: string, facilityId?: string) =>
    (await ok(admin.post('/api-keys', { holderName: `bench ${role}`, role, ...(facilityId ? { facilityId } : {}) }), 201)).key as string;
  const fixtures = { admin } as unknown as TestApp;

  const bank = await ok(admin.post('/facilities', { kind: 'tissue_bank', name: 'Bench bank', isbtFacilityId: 'B0001' }), 201);
  const clinic = await ok(admin.post('/facilities', { kind: 'clinic', name: 'Bench clinic' }), 201);
  const coordinator = httpClient(origin, await keyFor('coordinator'));
  const qualityKey = await keyFor('quality');
  const quality = httpClient(origin, qualityKey);
  // The admin determines eligibility and quality releases: both sign (a signer each, with its own password).
  const keys = (await ok(admin.get('/api-keys?limit=200'), 200)).items as { id: string; prefix: string }[];
  for (const [client, key] of [[admin, adminKey], [quality, qualityKey]] as const) {
    const signer = await ok(admin.post('/signers', { apiKeyId: keys.find((k) => key.startsWith(k.prefix))!.id }), 201);
    await ok(client.post(`/signers/${signer.id}/password`, { newPassword: TEST_SIGNING_PASSWORD }), 201);
  }
  const clinician = httpClient(origin, await keyFor('clinician', clinic.id));
  const auditorKey = await keyFor('auditor');

  const world: ReadWorld = { auditorKey, bankId: bank.id, clinicId: clinic.id, unitCodes: [], administeredCodes: [], lotIds: [], donorIds: [], patientIds: [] };
  for (let d = 0; d < shape.donors; d++) {
    const { donor, deliveryFacility, recoveredAt } = await createEligibleDonor(fixtures);
    const lot = await ok(coordinator.post('/lots', { donorId: donor.id, tissueType: 'amniotic_membrane', bankFacilityId: bank.id, recoveryFacilityId: deliveryFacility.id, recoveredAt, recoveredBy: 'Bench' }), 201);
    await ok(coordinator.post(`/lots/${lot.id}/processing-steps`, { kind: 'rinse', startedAt: iso(-1), finishedAt: iso(-0.9), operator: 'Bench', facilityId: bank.id, parameters: { solution: 'saline', volumeMl: 100 } }), 201);
    await ok(coordinator.post(`/lots/${lot.id}/processing-completion`, {}), 200);
    await ok(coordinator.post(`/lots/${lot.id}/preservation`, { method: 'dehydrated', storageTempMinC: 15, storageTempMaxC: 30, storageLocation: 'B', preservedAt: now(), expiresOn: iso(700).slice(0, 10) }), 201);
    await ok(quality.post(`/lots/${lot.id}/release`, { decidedAt: now(), reason: 'bench', ...signed('approval') }), 201);
    const unit = { productCode: 'T0001', description: 'Dehydrated amniotic membrane', form: 'sheet', expiresOn: iso(365).slice(0, 10) };
    const units = (await ok(coordinator.post(`/lots/${lot.id}/units`, { units: Array.from({ length: shape.unitsPerLot }, () => unit) }), 201)).items as { code: string }[];
    const shipped = units.slice(0, shape.shippedPerLot).map((u) => u.code);
    const shipment = await ok(coordinator.post('/shipments', { fromFacilityId: bank.id, toFacilityId: clinic.id, unitCodes: shipped, shippedAt: now(), conditions: 'ambient' }), 201);
    await ok(clinician.post(`/shipments/${shipment.id}/receipt`, { receivedAt: now(), conditionAcceptable: true, temperatureAcceptable: true }), 201);
    for (let i = 0; i < shape.administeredPerLot; i++) {
      const patient = await ok(clinician.post('/patients', { medicalRecordNumber: `BENCH-${d}-${i}` }), 201);
      await ok(clinician.post('/administrations', { unitCode: units[i]!.code, patientId: patient.id, administeredAt: now(), anatomicalSite: 'knee', indication: 'knee_osteoarthritis' }), 201);
      world.patientIds.push(patient.id);
      world.administeredCodes.push(units[i]!.code);
    }
    world.unitCodes.push(...units.map((u) => u.code));
    world.lotIds.push(lot.id);
    world.donorIds.push(donor.id);
  }
  return world;
}
