import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { createLot, ok, preservationBody, readyLot, refusedWithoutWrites, rinseStep, seedEligibleDonor, setupBank, splitUnits, daysFromNow, type Bank } from './support/lot-fixtures.ts';
import { signed } from './support/signing.ts';

// 'responsibility' is a meaning both a release and a rejection allow.
const decision = () => ({ decidedAt: new Date().toISOString(), reason: 'Record review complete', ...signed('responsibility') });

describe.each(engines)('release and rejection of lots on %s', (engine) => {
  let t: TestApp;
  let bank: Bank;
  beforeAll(async () => {
    t = await startTestApp(engine);
    bank = await setupBank(t);
  });
  afterAll(async () => t?.close());

  it('releases a ready lot and its quarantined units, signed by the QA person, with before and after in the audit trail [REQ-RELEASE-02]', async () => {
    const lot = await readyLot(t, bank);
    const units = await splitUnits(bank, lot.id, 2);
    expect(units.map((u) => u.status)).toEqual(['quarantine', 'quarantine']);
    const record = await ok(bank.quality.post(`/lots/${lot.id}/release`, decision()), 201);
    expect(record).toMatchObject({ decision: 'released', decidedBy: 'Quinn Abara', reason: 'Record review complete' });
    expect((await ok(bank.quality.get(`/lots/${lot.id}`), 200)).status).toBe('released');
    for (const u of units) {
      expect((await ok(bank.coordinator.get(`/units/${u.code}`), 200)).status).toBe('released');
      const events = (await t.admin.get(`/audit-events?entityType=unit&entityId=${u.id}&action=unit.released`)).json().items;
      expect(events[0]).toMatchObject({ before: { status: 'quarantine' }, after: { status: 'released' } });
    }
    const lotEvents = (await t.admin.get(`/audit-events?entityType=lot&entityId=${lot.id}&action=lot.released`)).json().items;
    expect(lotEvents[0]).toMatchObject({ before: { status: 'quarantine' }, after: { status: 'released' }, actorName: 'Quinn Abara' });
  });

  it('refuses release by whoever recorded the lot’s processing (segregation of duties), writing nothing [REQ-RELEASE-02]', async () => {
    const lot = await readyLot(t, bank);
    const res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/release`, decision()));
    expectProblem(res, 403, 'forbidden'); // coordinators may not release at all
    const admin2 = await t.keyFor('admin', { holderName: 'Processing admin' });
    const other = await createLot(t, bank);
    await ok(admin2.post(`/lots/${other.id}/processing-steps`, rinseStep(bank)), 201);
    await ok(bank.coordinator.post(`/lots/${other.id}/processing-completion`, {}), 200);
    await ok(bank.coordinator.post(`/lots/${other.id}/preservation`, preservationBody()), 201);
    const refused = await refusedWithoutWrites(t, () => admin2.post(`/lots/${other.id}/release`, decision()));
    expect(expectProblem(refused, 403, 'forbidden').detail).toMatch(/segregation of duties/);
    await ok(bank.quality.post(`/lots/${other.id}/release`, decision()), 201);
  });

  it('refuses release with every failed prerequisite listed, writing nothing [REQ-RELEASE-01, REQ-ELIG-01, REQ-DEV-01]', async () => {
    const recoveredAt = daysFromNow(-3);
    const donor = await seedEligibleDonor(t, { deliveryFacilityId: bank.hospitalId, recoveredAt, panel: ['HIV_1_2_AB'], eligible: false, consent: false });
    // Consent is needed to create the lot: add it, then withdraw it.
    const consent = await t.database.prisma.consent.create({
      data: { donorId: donor.id, formVersion: 'v3', obtainedBy: 'N', obtainedAt: recoveredAt, scope: ['clinical_use'], documentRef: 'D' },
    });
    const lot = await createLot(t, bank, { donorId: donor.id, recoveredAt: recoveredAt.toISOString() });
    await t.database.prisma.consentWithdrawal.create({ data: { consentId: consent.id, withdrawnAt: new Date(), reason: 'changed her mind' } });
    await ok(bank.coordinator.post(`/lots/${lot.id}/processing-steps`, { ...rinseStep(bank), deviations: ['Temperature excursion'] }), 201);
    const res = await refusedWithoutWrites(t, () => bank.quality.post(`/lots/${lot.id}/release`, decision()));
    const body = expectProblem(res, 409, 'prerequisites_unmet');
    const codes = body.failedPrerequisites.map((f: { code: string }) => f.code);
    expect(codes).toEqual(expect.arrayContaining(['donor_not_eligible', 'consent_not_in_force', 'screening_gap', 'processing_not_complete', 'open_deviations', 'preservation_missing']));
    const gaps = body.failedPrerequisites.filter((f: { code: string }) => f.code === 'screening_gap').map((f: { testCode: string }) => f.testCode);
    expect(gaps).toContain('HBSAG');
    expect(gaps).not.toContain('HIV_1_2_AB');
  });

  it('refuses release of an expired lot and of a lot with screening outside the window, writing nothing', async () => {
    const lot = await readyLot(t, bank);
    await t.database.prisma.preservation.create({
      data: { lotId: lot.id, method: 'dehydrated', storageTempMinC: 15, storageTempMaxC: 30, storageLocation: 'x', preservedAt: daysFromNow(-800), expiresOn: new Date('2020-01-01'), createdAt: new Date(Date.now() + 1000) },
    });
    const res = await refusedWithoutWrites(t, () => bank.quality.post(`/lots/${lot.id}/release`, decision()));
    expect(expectProblem(res, 409, 'prerequisites_unmet').failedPrerequisites.map((f: { code: string }) => f.code)).toEqual(['expired']);

    const recoveredAt = daysFromNow(-3);
    const donor = await seedEligibleDonor(t, { deliveryFacilityId: bank.hospitalId, recoveredAt });
    // Specimens taken 12 days before the recovery: recorded, but outside the 7-day window.
    await t.database.prisma.screeningTest.updateMany({ where: { donorId: donor.id }, data: { specimenCollectedAt: daysFromNow(-15) } });
    const late = await readyLot(t, bank, { donorId: donor.id, recoveredAt: recoveredAt.toISOString() });
    const res2 = await refusedWithoutWrites(t, () => bank.quality.post(`/lots/${late.id}/release`, decision()));
    const gaps = expectProblem(res2, 409, 'prerequisites_unmet').failedPrerequisites;
    expect(gaps.every((g: { code: string; problem: string }) => g.code === 'screening_gap' && g.problem === 'outside_window')).toBe(true);
  });

  it('releases only a lot in quarantine, naming the current state, writing nothing', async () => {
    const lot = await readyLot(t, bank);
    await ok(bank.quality.post(`/lots/${lot.id}/release`, decision()), 201);
    let res = await refusedWithoutWrites(t, () => bank.quality.post(`/lots/${lot.id}/release`, decision()));
    expect(expectProblem(res, 409, 'invalid_state').currentStatus).toBe('released');
    res = await refusedWithoutWrites(t, () => bank.quality.post(`/lots/${lot.id}/reject`, decision()));
    expect(expectProblem(res, 409, 'invalid_state').currentStatus).toBe('released');
  });

  it('rejects a lot with its reason and moves its quarantined units to rejected [REQ-QUAR-02]', async () => {
    const lot = await readyLot(t, bank);
    const [unit] = await splitUnits(bank, lot.id, 1);
    const record = await ok(bank.quality.post(`/lots/${lot.id}/reject`, { decidedAt: new Date().toISOString(), reason: 'Packaging seal failure', ...signed('review') }), 201);
    expect(record).toMatchObject({ decision: 'rejected', reason: 'Packaging seal failure' });
    expect((await ok(bank.quality.get(`/units/${unit!.code}`), 200)).status).toBe('rejected');
    const res = await refusedWithoutWrites(t, () => bank.quality.post(`/lots/${lot.id}/release`, decision()));
    expect(expectProblem(res, 409, 'invalid_state').currentStatus).toBe('rejected');
  });
});
