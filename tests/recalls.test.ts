import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { engines } from './support/engines.ts';
import { startTestApp, type Client, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { seedChain, seedFacilities, hoursAgo, expectRefusedWithoutWrites, type ChainFacilities, type SeededChain } from './support/chain-fixtures.ts';
import { signed } from './support/signing.ts';

describe.each(engines)('recalls on %s', (engine) => {
  let t: TestApp;
  let f: ChainFacilities;
  let clinician: Client;
  let quality: Client;

  const refused = (request: () => Promise<LightMyRequestResponse>, status: number, code: string) =>
    expectRefusedWithoutWrites(t.database.prisma, request, status, code);

  beforeAll(async () => {
    t = await startTestApp(engine);
    f = await seedFacilities(t.database.prisma);
    clinician = await t.keyFor('clinician', { facilityId: f.clinicId, holderName: 'Dr Okafor' });
    quality = await t.keyFor('quality', { holderName: 'QA Kim' });
  });
  afterAll(async () => t?.close());

  it('walks the chain from donor to patient, traces it both ways, recalls it, and keeps the report true [REQ-RECALL-01]', async () => {
    // Donor → lot → 5 units received at the clinic (seeded until the donor and lot endpoints land).
    const chain: SeededChain = await seedChain(t.database.prisma, f, { units: 5 });
    const [given, discarded, atClinic, inTransit, atBank] = chain.units as [SeededChain['units'][0], SeededChain['units'][0], SeededChain['units'][0], SeededChain['units'][0], SeededChain['units'][0]];
    await t.database.prisma.unit.update({ where: { id: inTransit.id }, data: { locationFacilityId: null, inTransitShipmentId: chain.shipmentId } });
    await t.database.prisma.unit.update({ where: { id: atBank.id }, data: { status: 'released', locationFacilityId: f.bankId } });

    const patient = (await clinician.post('/patients', { medicalRecordNumber: 'MRN-RC-1' })).json();
    const administration = await clinician.post('/administrations', {
      unitCode: given.typed, patientId: patient.id, administeredAt: hoursAgo(3), anatomicalSite: 'plantar fascia', indication: 'plantar_fasciitis',
    });
    expect(administration.statusCode, administration.body).toBe(201);
    expect((await clinician.post(`/units/${discarded.code}/discard`, { reasonCode: 'damaged', occurredAt: hoursAgo(2) })).statusCode).toBe(201);

    // Backward from the dose, forward from the donor.
    const back = (await quality.get(`/units/${given.code}/trace`)).json();
    expect(back).toMatchObject({ donor: { donorCode: chain.donorCode }, lot: { din: chain.din }, administrations: [{ patientId: patient.id }] });
    const forward = (await quality.get(`/donors/${chain.donorId}/trace`)).json();
    expect(forward.lots[0].units.find((u: { code: string }) => u.code === given.code).administration).toMatchObject({ patientId: patient.id, medicalRecordNumber: 'MRN-RC-1' });

    const res = await quality.post('/recalls', { scope: 'donor', donorId: chain.donorId, reason: 'donor seroconverted on a later test', ...signed('responsibility') });
    expect(res.statusCode, res.body).toBe(201);
    const report = res.json();
    expect(report).toMatchObject({ scope: 'donor', donorId: chain.donorId, lotId: null, initiatedBy: 'QA Kim', totals: { held: 3, administered: 1, discarded: 1, other: 0 } });
    const held = Object.fromEntries(report.held.map((g: { facilityId: string; units: { code: string }[] }) => [g.facilityId, g.units.map((u) => u.code).sort()]));
    expect(held).toEqual({ [f.clinicId]: [atClinic.code, inTransit.code].sort(), [f.bankId]: [atBank.code] });
    expect(report.administered).toEqual([
      { facilityId: f.clinicId, facilityName: `Wound clinic ${f.fin}`, units: [{ unitId: given.id, code: given.code, statusAtRecall: 'administered', patientId: patient.id, medicalRecordNumber: 'MRN-RC-1' }] },
    ]);
    expect(report.discarded).toEqual([expect.objectContaining({ code: discarded.code, facilityId: f.clinicId })]);

    // Held means recalled: nothing still in inventory can be used.
    const units = await t.database.prisma.unit.findMany({ where: { lotId: chain.lotId }, orderBy: { code: 'asc' } });
    expect(Object.fromEntries(units.map((u) => [u.code, u.status]))).toEqual({
      [given.code]: 'administered', [discarded.code]: 'discarded', [atClinic.code]: 'recalled', [inTransit.code]: 'recalled', [atBank.code]: 'recalled',
    });
    expect((await t.database.prisma.lot.findUniqueOrThrow({ where: { id: chain.lotId } })).status).toBe('recalled');
    const refusal = await clinician.post('/administrations', { unitCode: atClinic.code, patientId: patient.id, administeredAt: hoursAgo(1), anatomicalSite: 'x', indication: 'burn' });
    expect(expectProblem(refusal, 409, 'invalid_state').currentStatus).toBe('recalled');
    const actions = (await (await t.auditLog()).findMany({ where: { reason: 'donor seroconverted on a later test' } })).map((e) => e.action).sort();
    // The notice to the clinic, the one consignee, is queued in the same transaction, for the same reason.
    expect(actions).toEqual(['lot.recalled', 'recall.created', 'recall_notice.queued', 'unit.recalled', 'unit.recalled', 'unit.recalled']);

    // Later events do not change the report.
    expect((await clinician.post(`/units/${atClinic.code}/discard`, { reasonCode: 'recalled', occurredAt: hoursAgo(0) })).statusCode).toBe(201);
    const auditor = await t.keyFor('auditor');
    expect((await auditor.get(`/recalls/${report.id}`)).json()).toEqual(report);
    expect((await t.admin.get('/audit-events/verification')).json().intact).toBe(true);
  });

  it('recalls one lot, leaving the donor’s other lots alone', async () => {
    const chain = await seedChain(t.database.prisma, f, { units: 2 });
    const sibling = await seedChain(t.database.prisma, f, { units: 1 });
    await t.database.prisma.lot.update({ where: { id: sibling.lotId }, data: { donorId: chain.donorId } });
    const res = await t.admin.post('/recalls', { scope: 'lot', lotId: chain.lotId, reason: 'preservation deviation', ...signed('responsibility') });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().totals).toEqual({ held: 2, administered: 0, discarded: 0, other: 0 });
    expect((await t.database.prisma.unit.findUniqueOrThrow({ where: { id: sibling.units[0]!.id } })).status).toBe('distributed');
  });

  it('reports units already out of inventory otherwise, and recalls a lot recalled before without changing it', async () => {
    const chain = await seedChain(t.database.prisma, f, { units: 2 });
    await t.database.prisma.unit.update({ where: { id: chain.units[0]!.id }, data: { status: 'expired' } });
    const first = (await quality.post('/recalls', { scope: 'lot', lotId: chain.lotId, reason: 'first', ...signed('responsibility') })).json();
    expect(first.totals).toEqual({ held: 1, administered: 0, discarded: 0, other: 1 });
    const second = (await quality.post('/recalls', { scope: 'lot', lotId: chain.lotId, reason: 'second', ...signed('responsibility') })).json();
    expect(second.totals).toEqual({ held: 0, administered: 0, discarded: 0, other: 2 });
    expect(second.other.map((u: { statusAtRecall: string }) => u.statusAtRecall).sort()).toEqual(['expired', 'recalled']);
  });

  it('refuses a recall with nothing in scope', async () => {
    const chain = await seedChain(t.database.prisma, f, { units: 1 });
    await refused(() => quality.post('/recalls', { scope: 'lot', lotId: chain.donorId, reason: 'x', ...signed('responsibility') }), 404, 'not_found');
    await refused(() => quality.post('/recalls', { scope: 'donor', donorId: chain.lotId, reason: 'x', ...signed('responsibility') }), 404, 'not_found');
    expectProblem(await quality.get(`/recalls/${chain.lotId}`), 404, 'not_found');
  });

  it('refuses a malformed recall, and recalls by anyone but quality and admins (coordinators read them)', async () => {
    const chain = await seedChain(t.database.prisma, f, { units: 1 });
    await refused(() => quality.post('/recalls', { scope: 'lot', donorId: chain.donorId, reason: 'x', ...signed('responsibility') }), 400, 'validation_failed');
    await refused(() => quality.post('/recalls', { scope: 'lot', lotId: chain.lotId, ...signed('responsibility') }), 400, 'validation_failed');
    await refused(() => clinician.post('/recalls', { scope: 'lot', lotId: chain.lotId, reason: 'x', ...signed('responsibility') }), 403, 'forbidden');
    const auditor = await t.keyFor('auditor');
    await refused(() => auditor.post('/recalls', { scope: 'lot', lotId: chain.lotId, reason: 'x', ...signed('responsibility') }), 403, 'forbidden');
    const coordinator = await t.keyFor('coordinator');
    const refusal = await refused(() => coordinator.post('/recalls', { scope: 'lot', lotId: chain.lotId, reason: 'x', ...signed('responsibility') }), 403, 'forbidden');
    expect(refusal.allowedRoles).toEqual(['quality', 'admin']);
    const recall = (await quality.post('/recalls', { scope: 'lot', lotId: chain.lotId, reason: 'QA decision', ...signed('responsibility') })).json();
    expect((await coordinator.get(`/recalls/${recall.id}`)).statusCode).toBe(200);
  });
});
