import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mod37_2 } from '../src/domain/units/identification.ts';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { createLot, dateOnly, daysFromNow, ok, readyLot, refusedWithoutWrites, releasedLot, setupBank, splitUnits, type Bank } from './support/lot-fixtures.ts';
import { signed } from './support/signing.ts';

const unitBody = (extra: Record<string, unknown> = {}) => ({
  productCode: 'T0001',
  description: 'Dehydrated amniotic membrane',
  size: '2 x 3 cm',
  volumeMl: 1.5,
  form: 'sheet',
  expiresOn: dateOnly(daysFromNow(365)),
  ...extra,
});

describe.each(engines)('units and labels on %s', (engine) => {
  let t: TestApp;
  let bank: Bank;
  beforeAll(async () => {
    t = await startTestApp(engine);
    bank = await setupBank(t);
  });
  afterAll(async () => t?.close());

  it('splits a lot into units with distinct codes (DIN + product + division), at the bank, inheriting the lot’s status', async () => {
    const lot = await readyLot(t, bank);
    const res = await ok(bank.coordinator.post(`/lots/${lot.id}/units`, { units: [unitBody(), unitBody({ division: 'B07' }), unitBody()] }), 201);
    expect(res.items.map((u: { division: string }) => u.division)).toEqual(['A01', 'B07', 'A02']);
    for (const u of res.items) {
      expect(u.code).toBe(`${lot.din}T0001${u.division}`);
      expect(u).toMatchObject({ status: 'quarantine', locationFacilityId: bank.bankId, inTransitShipmentId: null, volumeMl: 1.5, checkCharacter: mod37_2(lot.din) });
    }
    const more = await ok(bank.coordinator.post(`/lots/${lot.id}/units`, { units: [unitBody()] }), 201);
    expect(more.items[0].division).toBe('A03');
  });

  it('gives units of a released lot the released status', async () => {
    const lot = await releasedLot(t, bank);
    const [unit] = await splitUnits(bank, lot.id, 1);
    expect(unit!.status).toBe('released');
  });

  it('refuses a unit expiring after its lot, a lot without preservation, and a rejected lot, writing nothing', async () => {
    const lot = await readyLot(t, bank);
    let res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/units`, { units: [unitBody({ expiresOn: dateOnly(daysFromNow(3650)) })] }));
    expect(expectProblem(res, 422, 'rule_violation').detail).toMatch(/cannot expire after its lot/);
    const bare = await createLot(t, bank);
    res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${bare.id}/units`, { units: [unitBody()] }));
    expect(expectProblem(res, 422, 'rule_violation').detail).toMatch(/preservation/);
    await ok(bank.quality.post(`/lots/${lot.id}/reject`, { decidedAt: new Date().toISOString(), reason: 'contaminated', ...signed('review') }), 201);
    res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/units`, { units: [unitBody()] }));
    expect(expectProblem(res, 409, 'invalid_state').currentStatus).toBe('rejected');
  });

  it('refuses a division already used, twice in one request, or 000 for a divided lot, writing nothing', async () => {
    const lot = await readyLot(t, bank);
    await ok(bank.coordinator.post(`/lots/${lot.id}/units`, { units: [unitBody({ division: 'A01' })] }), 201);
    let res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/units`, { units: [unitBody({ division: 'A01' })] }));
    expectProblem(res, 409, 'conflict');
    res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/units`, { units: [unitBody({ division: 'C01' }), unitBody({ division: 'C01' })] }));
    expect(expectProblem(res, 422, 'rule_violation').errors).toEqual([{ field: 'body.units.1.division', message: 'division C01 of product T0001 appears twice' }]);
    res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/units`, { units: [unitBody({ division: '000' })] }));
    const undivided = expectProblem(res, 422, 'rule_violation');
    expect(undivided.detail).toMatch(/undivided/);
    expect(undivided.errors).toEqual([{ field: 'body.units.0.division', message: undivided.detail }]);
    res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/units`, { units: [unitBody({ productCode: 'X0001' })] }));
    expectProblem(res, 400, 'validation_failed');
  });

  it('lets two simultaneous splits into the same divisions not both succeed', async () => {
    const lot = await readyLot(t, bank);
    const body = { units: [unitBody({ division: 'D01' }), unitBody({ division: 'D02' })] };
    const results = await Promise.all([bank.coordinator.post(`/lots/${lot.id}/units`, body), bank.coordinator.post(`/lots/${lot.id}/units`, body)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expectProblem(results.find((r) => r.statusCode === 409)!, 409, 'conflict');
    expect(await t.database.prisma.unit.count({ where: { lotId: lot.id } })).toBe(2);
    const created = await (await t.auditLog()).count({ where: { action: 'unit.created', entityId: { in: results.find((r) => r.statusCode === 201)!.json().items.map((u: { id: string }) => u.id) } } });
    expect(created).toBe(2);
  });

  it('has the database refuse a second unit with the same lot, product and division, and a reused DIN [REQ-ID-01]', async () => {
    const lot = await readyLot(t, bank);
    const [unit] = await splitUnits(bank, lot.id, 1);
    const row = await t.database.prisma.unit.findUniqueOrThrow({ where: { id: unit!.id } });
    const { id: _id, createdAt: _c, ...copy } = row;
    await expect(t.database.prisma.unit.create({ data: { ...copy, code: `${row.code}X` } })).rejects.toMatchObject({ code: 'P2002' });
    const lotRow = await t.database.prisma.lot.findUniqueOrThrow({ where: { id: lot.id } });
    const { id: _l, createdAt: _lc, ...lotCopy } = lotRow;
    await expect(t.database.prisma.lot.create({ data: lotCopy })).rejects.toMatchObject({ code: 'P2002' });
  });

  it('finds a unit by its code as printed, with or without the check character, in any case and spacing', async () => {
    const lot = await readyLot(t, bank);
    const [unit] = await splitUnits(bank, lot.id, 1);
    const check = mod37_2(lot.din);
    for (const typed of [unit!.code, unit!.printedCode, `${lot.din}${check}T0001A01`.toLowerCase(), `${lot.din.slice(0, 5)}-${lot.din.slice(5)} T0001 A01`]) {
      const found = await ok(bank.coordinator.get(`/units/${encodeURIComponent(typed)}`), 200);
      expect(found).toMatchObject({ id: unit!.id, code: unit!.code, printedCode: `${lot.din.slice(0, 5)} ${lot.din.slice(5, 7)} ${lot.din.slice(7)} ${check} T0001 A01`, checkCharacter: check });
    }
  });

  it('refuses a mistyped check character with a clear message, and answers 404 for an unknown code [REQ-ID-02]', async () => {
    const lot = await readyLot(t, bank);
    const [unit] = await splitUnits(bank, lot.id, 1);
    const wrong = mod37_2(lot.din) === 'A' ? 'B' : 'A';
    const res = await bank.coordinator.get(`/units/${lot.din}${wrong}T0001A01`);
    expect(expectProblem(res, 400, 'validation_failed').detail).toMatch(/check character .* does not match .*mistyped/);
    expectProblem(await bank.coordinator.get(`/units/${unit!.code.slice(0, 13)}T0002A01`), 404, 'not_found');
    expectProblem(await bank.coordinator.get('/units/hello'), 400, 'validation_failed');
  });

  it('prints a label with code and check character, tissue, product, expiry, storage, warnings and the EU SEC, never the donor [REQ-LABEL-01]', async () => {
    const lot = await readyLot(t, bank);
    const [unit] = await splitUnits(bank, lot.id, 1);
    const res = await bank.coordinator.get(`/units/${unit!.code}/label`);
    const labelJson = await ok(Promise.resolve(res), 200);
    expect(labelJson).toMatchObject({
      identificationCode: unit!.printedCode,
      tissueType: 'amniotic_membrane',
      product: { productCode: 'T0001', form: 'sheet' },
      storage: { method: 'dehydrated', temperatureMinC: 15, temperatureMaxC: 30 },
      status: 'quarantine',
      euSec: { donationSequence: lot.euDonationSequence, productSequence: expect.stringMatching(/^AT000100A01\d{8}$/) },
    });
    expect(labelJson.warnings[0]).toMatch(/QUARANTINE/);
    expect(labelJson.warnings).toContain('Rx only. For use by a licensed physician only.');
    const donor = await t.database.prisma.donor.findUniqueOrThrow({ where: { id: lot.donorId } });
    expect(res.body).not.toContain(donor.donorCode);
    expect(res.body).not.toContain(donor.id);
    // The EU donation sequence was assigned at recovery: a later change of the bank's EU code does not alter it.
    await t.database.prisma.facility.update({ where: { id: bank.bankId }, data: { euTissueEstablishmentCode: 'FR999999' } });
    const relabel = await ok(bank.coordinator.get(`/units/${unit!.code}/label`), 200);
    expect(relabel.euSec.donationSequence).toBe(lot.euDonationSequence);
  });

  it('warns on the label of a unit past its expiry date, whatever its recorded status [REQ-LABEL-02, REQ-EXP-01]', async () => {
    const lot = await releasedLot(t, bank);
    const [unit] = await splitUnits(bank, lot.id, 1);
    await t.database.prisma.unit.update({ where: { id: unit!.id }, data: { expiresOn: new Date('2020-01-01') } });
    const labelJson = await ok(bank.coordinator.get(`/units/${unit!.code}/label`), 200);
    expect(labelJson.warnings[0]).toMatch(/EXPIRED on 2020-01-01/);
  });

  it('says on the label of a released unit that donor eligibility was determined', async () => {
    const lot = await releasedLot(t, bank);
    const [unit] = await splitUnits(bank, lot.id, 1);
    const labelJson = await ok(bank.coordinator.get(`/units/${unit!.code}/label`), 200);
    expect(labelJson.warnings[0]).toMatch(/Donor eligibility determined/);
  });

  it('marks units past their expiry date as expired in one sweep, with an audit event each, and only once', async () => {
    const lot = await releasedLot(t, bank);
    const [stale, fresh] = await splitUnits(bank, lot.id, 2);
    await t.database.prisma.unit.update({ where: { id: stale!.id }, data: { expiresOn: new Date('2024-01-31') } });
    expectProblem(await bank.clinician.post('/units/expiry-sweep'), 403, 'forbidden');
    const sweep = await ok(bank.coordinator.post('/units/expiry-sweep'), 200);
    expect(sweep.expired).toContainEqual({ code: stale!.code, statusBefore: 'released', expiresOn: '2024-01-31' });
    expect(sweep.expired.map((u: { code: string }) => u.code)).not.toContain(fresh!.code);
    expect((await ok(bank.coordinator.get(`/units/${stale!.code}`), 200)).status).toBe('expired');
    expect((await ok(bank.coordinator.get(`/units/${fresh!.code}`), 200)).status).toBe('released');
    const events = (await t.admin.get(`/audit-events?entityType=unit&entityId=${stale!.id}&action=unit.expired`)).json().items;
    expect(events).toEqual([expect.objectContaining({ before: { status: 'released' }, after: { status: 'expired' }, reason: 'expired on 2024-01-31' })]);
    expect((await ok(bank.coordinator.post('/units/expiry-sweep'), 200)).expired).toEqual([]);
    const expiredStock = await ok(bank.coordinator.get(`/inventory?status=expired&facilityId=${bank.bankId}&limit=200`), 200);
    expect(expiredStock.items.map((u: { code: string }) => u.code)).toContain(stale!.code);
    const available = await ok(bank.coordinator.get(`/inventory?facilityId=${bank.bankId}&limit=200`), 200);
    expect(available.items.map((u: { code: string }) => u.code)).not.toContain(stale!.code);
  });

  it('shows a clinician only the units at her facility: others do not exist for her (404, not 403) [REQ-ACCESS-03]', async () => {
    const lot = await releasedLot(t, bank);
    const [unit] = await splitUnits(bank, lot.id, 1);
    expectProblem(await bank.clinician.get(`/units/${unit!.code}`), 404, 'not_found');
    expectProblem(await bank.clinician.get(`/units/${unit!.code}/label`), 404, 'not_found');
  });

  it('after a consent withdrawal: refuses new units of the flagged lot, warns on the label, and drops its units from inventory', async () => {
    const lot = await releasedLot(t, bank);
    const [unit] = await splitUnits(bank, lot.id, 1);
    await t.database.prisma.lot.update({ where: { id: lot.id }, data: { reviewFlaggedAt: new Date(), reviewFlagReason: 'consent withdrawn' } });
    const res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/units`, { units: [unitBody()] }));
    expect(expectProblem(res, 422, 'rule_violation').detail).toMatch(/flagged for review/);
    const label = await ok(bank.coordinator.get(`/units/${unit!.code}/label`), 200);
    expect(label.warnings[0]).toMatch(/^DO NOT USE/);
    expect(JSON.stringify(label.warnings)).not.toMatch(/eligibility determined/);
    const inventory = await ok(bank.coordinator.get(`/inventory?facilityId=${bank.bankId}&limit=200`), 200);
    expect(inventory.items.map((u: { code: string }) => u.code)).not.toContain(unit!.code);
  });
});

describe.each(engines)('inventory on %s', (engine) => {
  let t: TestApp;
  let bank: Bank;
  beforeAll(async () => {
    t = await startTestApp(engine);
    bank = await setupBank(t);
  });
  afterAll(async () => t?.close());

  it('lists available units by facility, tissue type and product with counts, never expired ones', async () => {
    const lot = await releasedLot(t, bank);
    await splitUnits(bank, lot.id, 3, 'T0001');
    await splitUnits(bank, lot.id, 1, 'T0002');
    const quarantined = await readyLot(t, bank);
    await splitUnits(bank, quarantined.id, 2);
    // A unit past its expiry date, still recorded as released.
    const expired = await t.database.prisma.unit.findFirstOrThrow({ where: { lotId: lot.id, productCode: 'T0002' } });
    await t.database.prisma.unit.update({ where: { id: expired.id }, data: { expiresOn: new Date('2020-01-01') } });

    const inv = await ok(bank.auditor.get(`/inventory?facilityId=${bank.bankId}`), 200);
    expect(inv.total).toBe(3);
    expect(inv.groups).toEqual([{ facilityId: bank.bankId, tissueType: 'amniotic_membrane', productCode: 'T0001', count: 3 }]);
    expect(inv.items.map((u: { code: string }) => u.code)).not.toContain(expired.code);
    expect(inv.items.every((u: { status: string }) => u.status === 'released')).toBe(true);

    const q = await ok(bank.auditor.get(`/inventory?status=quarantine&facilityId=${bank.bankId}`), 200);
    expect(q.total).toBe(2);
    const soon = await ok(bank.auditor.get(`/inventory?expiringBefore=${dateOnly(daysFromNow(30))}`), 200);
    expect(soon.total).toBe(0);
    const paged = await ok(bank.auditor.get(`/inventory?limit=2`), 200);
    expect(paged.items).toHaveLength(2);
    expect(paged.nextCursor).not.toBeNull();
    const none = await ok(bank.auditor.get(`/inventory?tissueType=chorion`), 200);
    expect(none.total).toBe(0);
  });

  it('shows a clinician the inventory of her own facility only', async () => {
    const inv = await ok(bank.clinician.get('/inventory'), 200);
    expect(inv.total).toBe(0);
    expectProblem(await bank.clinician.get(`/inventory?facilityId=${bank.bankId}`), 403, 'forbidden');
  });
});
