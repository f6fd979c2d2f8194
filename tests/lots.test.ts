import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mod37_2 } from '../src/domain/units/identification.ts';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { createLot, ok, preservationBody, refusedWithoutWrites, releasedLot, rinseStep, seedEligibleDonor, setupBank, type Bank } from './support/lot-fixtures.ts';

describe.each(engines)('lots and processing on %s', (engine) => {
  let t: TestApp;
  let bank: Bank;
  beforeAll(async () => {
    t = await startTestApp(engine);
    bank = await setupBank(t);
  });
  afterAll(async () => t?.close());

  it('gives a new lot a DIN from the bank’s FIN, the recovery year and a sequence, with a valid Mod 37-2 check character, in quarantine [REQ-QUAR-01, REQ-ID-01]', async () => {
    const lot = await createLot(t, bank, { recoveredAt: '2026-11-20T10:00:00Z' });
    expect(lot.din).toMatch(/^W\d{4}26\d{6}$/);
    expect(lot.checkCharacter).toBe(mod37_2(lot.din));
    expect(lot.printedDin).toBe(`${lot.din.slice(0, 5)} 26 ${lot.din.slice(7)} ${lot.checkCharacter}`);
    expect(lot.status).toBe('quarantine');
    const bankRow = await t.database.prisma.facility.findUniqueOrThrow({ where: { id: bank.bankId } });
    expect(lot.euDonationSequence).toBe(`${bankRow.euTissueEstablishmentCode}${lot.din}`);
    const events = (await t.admin.get(`/audit-events?entityType=lot&entityId=${lot.id}`)).json().items;
    expect(events.map((e: { action: string }) => e.action)).toEqual(['lot.created']);
  });

  it('shows no EU donation sequence when the bank has no EU code', async () => {
    const noEu = await setupBank(t, { euCode: null });
    const lot = await createLot(t, noEu);
    expect(lot.euDonationSequence).toBeNull();
  });

  it('allocates distinct, consecutive DINs under concurrent requests', async () => {
    const donors = await Promise.all(Array.from({ length: 8 }, () => seedEligibleDonor(t, { deliveryFacilityId: bank.hospitalId })));
    const lots = await Promise.all(donors.map((d) => createLot(t, bank, { donorId: d.id })));
    const sequences = lots.map((l) => Number(l.din.slice(7))).sort((a, b) => a - b);
    expect(new Set(lots.map((l) => l.din)).size).toBe(8);
    expect(sequences).toEqual(sequences.map((_, i) => sequences[0]! + i));
    for (const l of lots) expect(mod37_2(l.din)).toBe(l.checkCharacter);
  });

  it.each(['embryonic_tissue', 'fetal_membrane', 'Foetal skin'])('refuses %s tissue with a message that says embryonic or fetal tissue is never accepted, writing nothing [REQ-LOT-01]', async (tissueType) => {
    const donor = await seedEligibleDonor(t, { deliveryFacilityId: bank.hospitalId });
    const res = await refusedWithoutWrites(t, () =>
      bank.coordinator.post('/lots', { donorId: donor.id, tissueType, bankFacilityId: bank.bankId, recoveryFacilityId: bank.hospitalId, recoveredAt: new Date().toISOString(), recoveredBy: 'x' }),
    );
    expect(expectProblem(res, 422, 'rule_violation').detail).toMatch(/never accepts embryonic or fetal tissue/);
  });

  it('refuses an unknown tissue type, a recovery in the future, a bank without a FIN, and a donor whose consent is not in force, writing nothing', async () => {
    const donor = await seedEligibleDonor(t, { deliveryFacilityId: bank.hospitalId });
    const body = { donorId: donor.id, tissueType: 'amnion', bankFacilityId: bank.bankId, recoveryFacilityId: bank.hospitalId, recoveredAt: new Date().toISOString(), recoveredBy: 'x' };
    let res = await refusedWithoutWrites(t, () => bank.coordinator.post('/lots', { ...body, tissueType: 'kidney' }));
    expect(expectProblem(res, 422, 'rule_violation').detail).toMatch(/Unknown tissue type/);
    res = await refusedWithoutWrites(t, () => bank.coordinator.post('/lots', { ...body, recoveredAt: new Date(Date.now() + 86_400_000).toISOString() }));
    expect(expectProblem(res, 422, 'rule_violation')).toMatchObject({ errors: [{ field: 'body.recoveredAt', message: expect.stringMatching(/in the future/) }] });
    res = await refusedWithoutWrites(t, () => bank.coordinator.post('/lots', { ...body, bankFacilityId: bank.clinicId }));
    expect(expectProblem(res, 422, 'rule_violation')).toMatchObject({ detail: expect.stringMatching(/not a tissue bank/), errors: [{ field: 'body.bankFacilityId', message: expect.any(String) }] });
    const noConsent = await seedEligibleDonor(t, { deliveryFacilityId: bank.hospitalId, consent: false });
    res = await refusedWithoutWrites(t, () => bank.coordinator.post('/lots', { ...body, donorId: noConsent.id }));
    expect(expectProblem(res, 422, 'rule_violation').detail).toMatch(/no consent in force/);
  });

  it('lets only coordinators and admins record lots', async () => {
    const donor = await seedEligibleDonor(t, { deliveryFacilityId: bank.hospitalId });
    const res = await refusedWithoutWrites(t, () =>
      bank.quality.post('/lots', { donorId: donor.id, tissueType: 'amnion', bankFacilityId: bank.bankId, recoveryFacilityId: bank.hospitalId, recoveredAt: new Date().toISOString(), recoveredBy: 'x' }),
    );
    expectProblem(res, 403, 'forbidden');
  });

  it('records a processing step with its parameters and opens its deviations', async () => {
    const lot = await createLot(t, bank);
    const step = await ok(
      bank.coordinator.post(`/lots/${lot.id}/processing-steps`, {
        ...rinseStep(bank),
        kind: 'terminal_sterilisation',
        parameters: { method: 'gamma', doseKGy: 25 },
        deviations: ['Dosimeter reading missing for one tote', 'Irradiation started late'],
      }),
      201,
    );
    expect(step).toMatchObject({
      kind: 'terminal_sterilisation',
      parameters: { method: 'gamma', doseKGy: 25 },
      deviations: [
        { description: 'Dosimeter reading missing for one tote', closedAt: null },
        { description: 'Irradiation started late', closedAt: null },
      ],
    });
    const ids = step.deviations.map((d: { id: string }) => d.id);
    expect(await (await t.auditLog()).count({ where: { action: 'lot.deviation_opened', entityId: { in: ids } } })).toBe(2);
    const detail = await ok(bank.auditor.get(`/lots/${lot.id}`), 200);
    expect(detail.processingSteps).toHaveLength(1);
  });

  it.each([
    ['enzymatic_digestion', /enzymatic digestion/],
    ['cell_culture_expansion', /culture/],
    ['homogenisation', /particulate/],
  ])('refuses a %s step as more than minimal manipulation, writing nothing [REQ-PROC-01]', async (kind, why) => {
    const lot = await createLot(t, bank);
    const res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/processing-steps`, { ...rinseStep(bank), kind, parameters: {} }));
    const body = expectProblem(res, 422, 'rule_violation');
    expect(body.detail).toMatch(/more than minimal manipulation/);
    expect(body.detail).toMatch(why);
    expect(body.kind).toBe(kind);
  });

  it('validates the parameters of each kind of step, and that a step does not finish before it starts, writing nothing', async () => {
    const lot = await createLot(t, bank);
    let res = await refusedWithoutWrites(t, () =>
      bank.coordinator.post(`/lots/${lot.id}/processing-steps`, { ...rinseStep(bank), kind: 'terminal_sterilisation', parameters: { method: 'gamma' } }),
    );
    expect(expectProblem(res, 400, 'validation_failed').errors).toEqual([{ field: 'body.parameters.doseKGy', message: expect.stringMatching(/required for gamma/) }]);
    res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/processing-steps`, { ...rinseStep(bank), parameters: { solution: 'saline' } }));
    expectProblem(res, 400, 'validation_failed');
    res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/processing-steps`, { ...rinseStep(bank), kind: 'microwaving' }));
    expectProblem(res, 400, 'validation_failed');
    res = await refusedWithoutWrites(t, () =>
      bank.coordinator.post(`/lots/${lot.id}/processing-steps`, { ...rinseStep(bank), startedAt: new Date(Date.now() - 3_600_000).toISOString(), finishedAt: new Date(Date.now() - 7_200_000).toISOString() }),
    );
    // Well formed, but a step cannot finish before it starts: a rule across two fields, 422.
    expect(expectProblem(res, 422, 'rule_violation')).toMatchObject({ errors: [{ field: 'body.finishedAt' }], conflictsWith: { fact: 'the start of the step' } });
  });

  it('refuses a processing step after release, naming the current state, writing nothing [REQ-SEQ-01]', async () => {
    const lot = await releasedLot(t, bank);
    const res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/processing-steps`, rinseStep(bank)));
    expect(expectProblem(res, 409, 'invalid_state').currentStatus).toBe('released');
  });

  it('closes a deviation once, and refuses to close it again, writing nothing', async () => {
    const lot = await createLot(t, bank);
    const step = await ok(bank.coordinator.post(`/lots/${lot.id}/processing-steps`, { ...rinseStep(bank), deviations: ['Rinse volume below SOP'] }), 201);
    const deviationId = step.deviations[0].id;
    const closed = await ok(bank.coordinator.post(`/lots/${lot.id}/deviations/${deviationId}/closure`, { resolution: 'Repeated rinse; within SOP' }), 200);
    expect(closed).toMatchObject({ resolution: 'Repeated rinse; within SOP', closedBy: bank.coordinator.keyId });
    const res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/deviations/${deviationId}/closure`, { resolution: 'again' }));
    expectProblem(res, 409, 'conflict');
  });

  it('marks processing complete once, not without a step, and accepts no step afterwards, writing nothing when refused', async () => {
    const lot = await createLot(t, bank);
    let res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/processing-completion`, {}));
    expect(expectProblem(res, 422, 'rule_violation').detail).toMatch(/No processing step/);
    await ok(bank.coordinator.post(`/lots/${lot.id}/processing-steps`, rinseStep(bank)), 201);
    const done = await ok(bank.coordinator.post(`/lots/${lot.id}/processing-completion`, {}), 200);
    expect(done.processingCompletedBy).toBe(bank.coordinator.keyId);
    res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/processing-completion`, {}));
    expectProblem(res, 409, 'conflict');
    res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/processing-steps`, rinseStep(bank)));
    expectProblem(res, 409, 'conflict');
  });

  it('records preservation with numbers for temperatures; a correction is a new record and the latest counts', async () => {
    const lot = await createLot(t, bank);
    const first = await ok(bank.coordinator.post(`/lots/${lot.id}/preservation`, preservationBody(700)), 201);
    expect(first).toMatchObject({ method: 'dehydrated', storageTempMinC: 15, storageTempMaxC: 30 });
    await ok(bank.coordinator.post(`/lots/${lot.id}/preservation`, { ...preservationBody(600), method: 'cryopreserved', storageTempMinC: -85.5, storageTempMaxC: -65 }), 201);
    const detail = await ok(bank.coordinator.get(`/lots/${lot.id}`), 200);
    expect(detail.preservations).toHaveLength(2);
    expect(detail.preservations[1]).toMatchObject({ method: 'cryopreserved', storageTempMinC: -85.5 });
  });

  it('refuses preservation with an inverted temperature range, an expiry before preservation, or after release, writing nothing', async () => {
    const lot = await createLot(t, bank);
    let res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/preservation`, { ...preservationBody(), storageTempMinC: 40 }));
    expect(expectProblem(res, 422, 'rule_violation').errors.map((e: { field: string }) => e.field)).toEqual(['body.storageTempMinC', 'body.storageTempMaxC']);
    res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/preservation`, { ...preservationBody(), expiresOn: '2020-01-01' }));
    expect(expectProblem(res, 422, 'rule_violation').errors).toEqual([{ field: 'body.expiresOn', message: 'expiresOn must be after preservedAt.' }]);
    const released = await releasedLot(t, bank);
    res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${released.id}/preservation`, preservationBody()));
    expect(expectProblem(res, 409, 'invalid_state').currentStatus).toBe('released');
  });

  it('answers 404 for an unknown lot and lists lots by status', async () => {
    expectProblem(await bank.auditor.get('/lots/00000000-0000-4000-8000-000000000000'), 404, 'not_found');
    const lots = await ok(bank.auditor.get('/lots?status=quarantine&limit=2'), 200);
    expect(lots.items).toHaveLength(2);
    expect(lots.items.every((l: { status: string }) => l.status === 'quarantine')).toBe(true);
  });
});
