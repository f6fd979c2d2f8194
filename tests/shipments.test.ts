import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { ok, readyLot, refusedWithoutWrites, releasedLot, setupBank, splitUnits, type Bank } from './support/lot-fixtures.ts';

/** A unit is in exactly one place: a facility or a shipment in transit. */
async function assertOnePlaceEach(t: TestApp) {
  const units = await t.database.prisma.unit.findMany();
  for (const u of units) expect((u.locationFacilityId === null) !== (u.inTransitShipmentId === null), u.code).toBe(true);
}

describe.each(engines)('shipments on %s', (engine) => {
  let t: TestApp;
  let bank: Bank;
  const shipBody = (codes: string[], extra: Record<string, unknown> = {}) => ({
    fromFacilityId: bank.bankId,
    toFacilityId: bank.clinicId,
    unitCodes: codes,
    shippedAt: new Date().toISOString(),
    conditions: 'Ambient, validated shipper',
    ...extra,
  });
  beforeAll(async () => {
    t = await startTestApp(engine);
    bank = await setupBank(t);
  });
  afterAll(async () => t?.close());

  it('ships released units: they leave the bank, travel with the shipment, and arrive at the consignee [REQ-SHIP-01]', async () => {
    const lot = await releasedLot(t, bank);
    const units = await splitUnits(bank, lot.id, 2);
    const shipment = await ok(bank.coordinator.post('/shipments', shipBody([units[0]!.printedCode, units[1]!.code])), 201);
    expect(shipment).toMatchObject({ fromFacilityId: bank.bankId, toFacilityId: bank.clinicId, shippedBy: 'Dana Reyes', receipt: null });
    expect(shipment.items.map((i: { unitCode: string }) => i.unitCode).sort()).toEqual(units.map((u) => u.code).sort());
    const inTransit = await ok(bank.coordinator.get(`/units/${units[0]!.code}`), 200);
    expect(inTransit).toMatchObject({ status: 'distributed', locationFacilityId: null, inTransitShipmentId: shipment.id });
    const events = (await t.admin.get(`/audit-events?entityType=unit&entityId=${units[0]!.id}&action=unit.distributed`)).json().items;
    expect(events[0]).toMatchObject({ before: { status: 'released', locationFacilityId: bank.bankId }, after: { status: 'distributed', inTransitShipmentId: shipment.id } });
    await assertOnePlaceEach(t);

    const receipt = await ok(bank.clinician.post(`/shipments/${shipment.id}/receipt`, { receivedAt: new Date().toISOString(), conditionAcceptable: true, temperatureAcceptable: true }), 201);
    expect(receipt).toMatchObject({ receivedBy: 'Dr. Lee', conditionAcceptable: true });
    const arrived = await ok(bank.clinician.get(`/units/${units[0]!.code}`), 200);
    expect(arrived).toMatchObject({ status: 'distributed', locationFacilityId: bank.clinicId, inTransitShipmentId: null });
    const inv = await ok(bank.clinician.get('/inventory?status=distributed'), 200);
    expect(inv.total).toBe(2);
    // Received units are what the clinic has available, the default view.
    const available = await ok(bank.clinician.get('/inventory'), 200);
    expect(available.items.map((u: { code: string }) => u.code).sort()).toEqual(units.map((u) => u.code).sort());
    const read = await ok(bank.clinician.get(`/shipments/${shipment.id}`), 200);
    expect(read.items.every((i: { receivedAcceptable: boolean }) => i.receivedAcceptable)).toBe(true);
    await assertOnePlaceEach(t);
  });

  it('refuses to ship units that are not released, not at the shipping facility or expired, writing nothing [REQ-QUAR-03]', async () => {
    const quarantined = await readyLot(t, bank);
    const [q] = await splitUnits(bank, quarantined.id, 1);
    let res = await refusedWithoutWrites(t, () => bank.coordinator.post('/shipments', shipBody([q!.code])));
    const body = expectProblem(res, 409, 'invalid_state');
    expect(body.currentStatus).toBe('quarantine');
    expect(body.unavailableUnits).toEqual([{ code: q!.code, status: 'quarantine', problem: 'is quarantine' }]);

    const lot = await releasedLot(t, bank);
    const [a, b] = await splitUnits(bank, lot.id, 2);
    res = await refusedWithoutWrites(t, () => bank.coordinator.post('/shipments', shipBody([a!.code], { fromFacilityId: bank.otherClinicId })));
    expect(expectProblem(res, 409, 'invalid_state').detail).toMatch(/not at the shipping facility/);
    await t.database.prisma.unit.update({ where: { id: b!.id }, data: { expiresOn: new Date('2020-01-01') } });
    res = await refusedWithoutWrites(t, () => bank.coordinator.post('/shipments', shipBody([a!.code, b!.code])));
    expect(expectProblem(res, 409, 'invalid_state').detail).toMatch(/has expired/);
    // The same code twice is malformed (uniqueItems, 400); the same unit written two ways breaks a rule (422).
    res = await refusedWithoutWrites(t, () => bank.coordinator.post('/shipments', shipBody([a!.code, a!.code])));
    expect(expectProblem(res, 400, 'validation_failed').errors).toEqual([{ field: 'body.unitCodes', message: 'lists a unit twice' }]);
    res = await refusedWithoutWrites(t, () => bank.coordinator.post('/shipments', shipBody([a!.code, a!.printedCode])));
    expect(expectProblem(res, 422, 'rule_violation').errors).toEqual([{ field: 'body.unitCodes.1', message: expect.stringMatching(/twice/) }]);
    res = await refusedWithoutWrites(t, () => bank.coordinator.post('/shipments', shipBody([a!.code, `${a!.code.slice(0, 13)}T0009A01`])));
    expect(expectProblem(res, 422, 'rule_violation').errors).toEqual([{ field: 'body.unitCodes.1', message: expect.stringMatching(/Unknown unit code/) }]);
    res = await refusedWithoutWrites(t, () => bank.coordinator.post('/shipments', shipBody([a!.code], { toFacilityId: bank.bankId })));
    expect(expectProblem(res, 422, 'rule_violation').errors).toEqual([{ field: 'body.toFacilityId', message: expect.stringMatching(/differ/) }]);
    res = await refusedWithoutWrites(t, () => bank.clinician.post('/shipments', shipBody([a!.code])));
    expectProblem(res, 403, 'forbidden');
  });

  it('refuses to ship units of a lot flagged for review after a consent withdrawal, writing nothing', async () => {
    const lot = await releasedLot(t, bank);
    const [unit] = await splitUnits(bank, lot.id, 1);
    await t.database.prisma.lot.update({ where: { id: lot.id }, data: { reviewFlaggedAt: new Date(), reviewFlagReason: 'consent withdrawn' } });
    const res = await refusedWithoutWrites(t, () => bank.coordinator.post('/shipments', shipBody([unit!.code])));
    expect(expectProblem(res, 409, 'invalid_state').detail).toMatch(/flagged for review/);
  });

  it('lets two simultaneous shipments of the same units not both succeed [REQ-SHIP-01]', async () => {
    const lot = await releasedLot(t, bank);
    const units = await splitUnits(bank, lot.id, 3);
    const codes = units.map((u) => u.code);
    const results = await Promise.all([
      bank.coordinator.post('/shipments', shipBody(codes)),
      bank.coordinator.post('/shipments', shipBody(codes.slice(1), { toFacilityId: bank.otherClinicId })),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const items = await t.database.prisma.shipmentItem.count({ where: { unitId: { in: units.map((u) => u.id) } } });
    expect(items).toBe(results.find((r) => r.statusCode === 201)!.json().items.length);
    await assertOnePlaceEach(t);
  });

  it('quarantines at the consignee the units received in bad condition, and all of them when the temperature was not acceptable', async () => {
    const lot = await releasedLot(t, bank);
    const units = await splitUnits(bank, lot.id, 3);
    const s1 = await ok(bank.coordinator.post('/shipments', shipBody(units.slice(0, 2).map((u) => u.code))), 201);
    await ok(
      bank.clinician.post(`/shipments/${s1.id}/receipt`, {
        receivedAt: new Date().toISOString(),
        conditionAcceptable: true,
        temperatureAcceptable: true,
        units: [{ code: units[0]!.printedCode, acceptable: false }],
        notes: 'One pouch torn',
      }),
      201,
    );
    expect((await ok(bank.clinician.get(`/units/${units[0]!.code}`), 200)).status).toBe('quarantine');
    expect((await ok(bank.clinician.get(`/units/${units[1]!.code}`), 200)).status).toBe('distributed');
    const available = await ok(bank.clinician.get('/inventory'), 200);
    expect(available.items.map((u: { code: string }) => u.code)).not.toContain(units[0]!.code);
    expect((await ok(bank.clinician.get(`/shipments/${s1.id}`), 200)).items).toEqual(
      expect.arrayContaining([expect.objectContaining({ unitId: units[0]!.id, receivedAcceptable: false }), expect.objectContaining({ unitId: units[1]!.id, receivedAcceptable: true })]),
    );
    const events = (await t.admin.get(`/audit-events?entityType=unit&entityId=${units[0]!.id}&action=unit.received_quarantined`)).json().items;
    expect(events[0]).toMatchObject({ before: { status: 'distributed', locationFacilityId: null }, after: { status: 'quarantine', locationFacilityId: bank.clinicId } });

    const s2 = await ok(bank.coordinator.post('/shipments', shipBody([units[2]!.code])), 201);
    await ok(bank.clinician.post(`/shipments/${s2.id}/receipt`, { receivedAt: new Date().toISOString(), conditionAcceptable: true, temperatureAcceptable: false }), 201);
    expect((await ok(bank.clinician.get(`/units/${units[2]!.code}`), 200)).status).toBe('quarantine');
    await assertOnePlaceEach(t);
  });

  it('accepts a receipt once, only from the consignee facility, and only for the shipment’s units, writing nothing when refused', async () => {
    const lot = await releasedLot(t, bank);
    const [a, b] = await splitUnits(bank, lot.id, 2);
    const s = await ok(bank.coordinator.post('/shipments', shipBody([a!.code])), 201);
    const receipt = { receivedAt: new Date().toISOString(), conditionAcceptable: true, temperatureAcceptable: true };
    // Another facility's shipment is as unknown to a clinician as one that does not exist.
    let res = await refusedWithoutWrites(t, () => bank.otherClinician.post(`/shipments/${s.id}/receipt`, receipt));
    expectProblem(res, 404, 'not_found');
    res = await refusedWithoutWrites(t, () => bank.auditor.post(`/shipments/${s.id}/receipt`, receipt));
    expectProblem(res, 403, 'forbidden');
    res = await refusedWithoutWrites(t, () => bank.clinician.post(`/shipments/${s.id}/receipt`, { ...receipt, units: [{ code: b!.code, acceptable: true }] }));
    expect(expectProblem(res, 422, 'rule_violation').errors).toEqual([{ field: 'body.units.0.code', message: expect.stringMatching(/not part of shipment/) }]);
    res = await refusedWithoutWrites(t, () => bank.clinician.post(`/shipments/${s.id}/receipt`, { ...receipt, receivedAt: new Date(Date.parse(s.shippedAt) - 60_000).toISOString() }));
    expect(expectProblem(res, 422, 'rule_violation')).toMatchObject({ errors: [{ field: 'body.receivedAt' }], conflictsWith: { fact: 'the shipment', at: s.shippedAt } });
    res = await refusedWithoutWrites(t, () => bank.clinician.post('/shipments/00000000-0000-4000-8000-000000000000/receipt', receipt));
    expectProblem(res, 404, 'not_found');
    await ok(bank.clinician.post(`/shipments/${s.id}/receipt`, receipt), 201);
    res = await refusedWithoutWrites(t, () => bank.clinician.post(`/shipments/${s.id}/receipt`, receipt));
    expectProblem(res, 409, 'conflict');
    expectProblem(await bank.otherClinician.get(`/shipments/${s.id}`), 404, 'not_found');
  });
});
