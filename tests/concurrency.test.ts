// The rules that read and then decide stay race-free without a lock shared by every command:
// SERIALIZABLE transactions on PostgreSQL (retried when they collide), one transaction at a time
// on PGlite. Each race is run through the API at once and its invariant checked afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { setupBank, readyLot, releasedLot, splitUnits, ok, dateOnly, daysFromNow, type Bank } from './support/lot-fixtures.ts';
import { seedChain, seedFacilities, hoursAgo } from './support/chain-fixtures.ts';
import { completeDonorRecords, createDonor, determinationBody } from './support/donor-fixtures.ts';
import { releaseBody } from './support/signing.ts';

describe.each(engines)('races without a global lock on %s', (engine) => {
  let t: TestApp;
  let bank: Bank;
  beforeAll(async () => {
    t = await startTestApp(engine);
    bank = await setupBank(t);
  });
  afterAll(async () => t?.close());

  const statuses = (results: { statusCode: number }[]) => results.map((r) => r.statusCode).sort();

  it('releases a lot once when two quality reviewers release it at the same moment', async () => {
    const lot = await readyLot(t, bank);
    const results = await Promise.all([0, 1].map(() => bank.quality.post(`/lots/${lot.id}/release`, releaseBody())));
    expect(statuses(results)).toEqual([201, 409]);
    expectProblem(results.find((r) => r.statusCode === 409)!, 409, 'invalid_state');
    expect(await t.database.prisma.releaseDecision.count({ where: { lotId: lot.id } })).toBe(1);
  });

  it('gives two splits of one lot at once distinct divisions and codes, none lost', async () => {
    const lot = await releasedLot(t, bank);
    const body = { units: Array.from({ length: 5 }, () => ({ productCode: 'T0001', description: 'Dehydrated amniotic membrane', size: '2 x 3 cm', form: 'sheet', expiresOn: dateOnly(daysFromNow(365)) })) };
    const results = await Promise.all([0, 1, 2].map(() => bank.coordinator.post(`/lots/${lot.id}/units`, body)));
    expect(statuses(results)).toEqual([201, 201, 201]);
    const codes = results.flatMap((r) => r.json().items.map((u: { code: string }) => u.code));
    expect(new Set(codes).size).toBe(15);
    expect(await t.database.prisma.unit.count({ where: { lotId: lot.id } })).toBe(15);
  });

  it('ships a unit once when two shipments of it are sent at once', async () => {
    const lot = await releasedLot(t, bank);
    const [unit] = await splitUnits(bank, lot.id, 1);
    const ship = (to: string) => bank.coordinator.post('/shipments', { fromFacilityId: bank.bankId, toFacilityId: to, unitCodes: [unit!.code], shippedAt: new Date().toISOString(), conditions: 'Ambient' });
    const results = await Promise.all([ship(bank.clinicId), ship(bank.otherClinicId)]);
    expect(statuses(results)).toEqual([201, 409]);
    expect(await t.database.prisma.shipmentItem.count({ where: { unitId: unit!.id } })).toBe(1);
  });

  it('lets exactly one of 50 concurrent administrations of one unit succeed [REQ-ADMIN-01]', async () => {
    const f = await seedFacilities(t.database.prisma);
    const chain = await seedChain(t.database.prisma, f, { units: 1 });
    const clinician = await t.keyFor('clinician', { facilityId: f.clinicId });
    const patientId = (await ok(clinician.post('/patients', { facilityId: f.clinicId, medicalRecordNumber: `MRN-RACE-${Date.now()}` }), 201)).id;
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        clinician.post('/administrations', { unitCode: chain.units[0]!.code, patientId, administeredAt: hoursAgo(1), anatomicalSite: 'left heel', indication: 'plantar_fasciitis' }),
      ),
    );
    expect(statuses(results)).toEqual([201, ...Array(49).fill(409)]);
    expect(await t.database.prisma.administration.count({ where: { unitId: chain.units[0]!.id } })).toBe(1);
  });

  it('never leaves an eligible determination in force beside a consent withdrawn at the same moment', async () => {
    for (let round = 0; round < 3; round++) {
      const registered = await createDonor(t);
      const consent = await completeDonorRecords(t, registered);
      const { donor } = registered;
      const [determination, withdrawal] = await Promise.all([
        t.admin.post(`/donors/${donor.id}/eligibility-determinations`, determinationBody()),
        t.admin.post(`/donors/${donor.id}/consents/${consent.id}/withdrawal`, { withdrawnAt: new Date().toISOString(), reason: 'Donor request' }),
      ]);
      expect(withdrawal.statusCode, withdrawal.body).toBe(201);
      expect([201, 409]).toContain(determination.statusCode);
      expect(await t.database.prisma.eligibilityDetermination.count({ where: { donorId: donor.id, supersededAt: null, outcome: 'eligible' } })).toBe(0);
    }
  });

  it('keeps the log whole through all of it', async () => {
    const verification = (await t.admin.get('/audit-events/verification')).json();
    expect(verification).toMatchObject({ intact: true, breaks: { count: 0 } });
  });
});
