import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { engines } from './support/engines.ts';
import { startTestApp, type Client, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { seedChain, seedFacilities, expectRefusedWithoutWrites, type ChainFacilities } from './support/chain-fixtures.ts';

const now = () => new Date().toISOString();

describe.each(engines)('discard and return of units on %s', (engine) => {
  let t: TestApp;
  let f: ChainFacilities;
  let clinician: Client;
  let otherClinician: Client;
  let coordinator: Client;

  const refused = (request: () => Promise<LightMyRequestResponse>, status: number, code: string) =>
    expectRefusedWithoutWrites(t.database.prisma, request, status, code);

  beforeAll(async () => {
    t = await startTestApp(engine);
    f = await seedFacilities(t.database.prisma);
    clinician = await t.keyFor('clinician', { facilityId: f.clinicId, holderName: 'Dr Okafor' });
    const otherClinic = (await t.admin.post('/facilities', { kind: 'clinic', name: 'Elsewhere' })).json().id;
    otherClinician = await t.keyFor('clinician', { facilityId: otherClinic });
    coordinator = await t.keyFor('coordinator');
  });
  afterAll(async () => t?.close());

  it('discards a unit at the clinic with its reason, recording a disposition and an audit event', async () => {
    const { units } = await seedChain(t.database.prisma, f, { units: 1 });
    const res = await clinician.post(`/units/${units[0]!.typed}/discard`, { reasonCode: 'opened_not_used', reasonText: 'package opened in theatre', occurredAt: now() });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'discarded', reasonCode: 'opened_not_used', facilityId: f.clinicId, recordedBy: 'Dr Okafor', unitStatus: 'discarded' });
    const event = await (await t.auditLog()).findFirstOrThrow({ where: { action: 'unit.discarded', entityId: units[0]!.id } });
    expect(event.before).toMatchObject({ status: 'distributed' });
    expect(event.reason).toBe('opened_not_used: package opened in theatre');
  });

  it('refuses to discard a unit twice, naming its status', async () => {
    const { units } = await seedChain(t.database.prisma, f, { units: 1 });
    await clinician.post(`/units/${units[0]!.code}/discard`, { reasonCode: 'damaged', occurredAt: now() });
    const body = await refused(() => clinician.post(`/units/${units[0]!.code}/discard`, { reasonCode: 'damaged', occurredAt: now() }), 409, 'invalid_state');
    expect(body.currentStatus).toBe('discarded');
  });

  it('refuses to discard an administered unit', async () => {
    const { units } = await seedChain(t.database.prisma, f, { units: 1 });
    await t.database.prisma.unit.update({ where: { id: units[0]!.id }, data: { status: 'administered' } });
    await refused(() => coordinator.post(`/units/${units[0]!.code}/discard`, { reasonCode: 'other', occurredAt: now() }), 409, 'invalid_state');
  });

  it('lets a coordinator discard a recalled unit', async () => {
    const { units } = await seedChain(t.database.prisma, f, { units: 1 });
    await t.database.prisma.unit.update({ where: { id: units[0]!.id }, data: { status: 'recalled' } });
    const res = await coordinator.post(`/units/${units[0]!.code}/discard`, { reasonCode: 'recalled', occurredAt: now() });
    expect(res.statusCode, res.body).toBe(201);
  });

  it("hides another facility's unit from a clinician", async () => {
    const { units } = await seedChain(t.database.prisma, f, { units: 1 });
    await refused(() => otherClinician.post(`/units/${units[0]!.code}/discard`, { reasonCode: 'damaged', occurredAt: now() }), 404, 'not_found');
  });

  it('refuses an unknown reason code and a mistyped code', async () => {
    const { units } = await seedChain(t.database.prisma, f, { units: 1 });
    await refused(() => clinician.post(`/units/${units[0]!.code}/discard`, { reasonCode: 'lost', occurredAt: now() }), 400, 'validation_failed');
    await refused(() => clinician.post(`/units/${units[0]!.mistyped}/discard`, { reasonCode: 'damaged', occurredAt: now() }), 400, 'validation_failed');
  });

  it('returns a distributed unit to the bank, into quarantine pending QA review [REQ-DISP-02]', async () => {
    const { units } = await seedChain(t.database.prisma, f, { units: 1 });
    const res = await clinician.post(`/units/${units[0]!.code}/return`, { reasonText: 'patient cancelled', occurredAt: now() });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'returned', facilityId: f.clinicId, unitStatus: 'quarantine', unitLocationFacilityId: f.bankId });
    const unit = await t.database.prisma.unit.findUniqueOrThrow({ where: { id: units[0]!.id } });
    expect(unit).toMatchObject({ status: 'quarantine', locationFacilityId: f.bankId });
  });

  it('refuses to return a unit that is not distributed, or one in transit', async () => {
    const { units, shipmentId } = await seedChain(t.database.prisma, f, { units: 2 });
    await t.database.prisma.unit.update({ where: { id: units[0]!.id }, data: { status: 'on_hold' } });
    const body = await refused(() => coordinator.post(`/units/${units[0]!.code}/return`, { reasonText: 'x', occurredAt: now() }), 409, 'invalid_state');
    expect(body.currentStatus).toBe('on_hold');
    await t.database.prisma.unit.update({ where: { id: units[1]!.id }, data: { locationFacilityId: null, inTransitShipmentId: shipmentId } });
    await refused(() => coordinator.post(`/units/${units[1]!.code}/return`, { reasonText: 'x', occurredAt: now() }), 422, 'rule_violation');
  });

  it('refuses a disposition dated in the future', async () => {
    const { units } = await seedChain(t.database.prisma, f, { units: 1 });
    await refused(() => clinician.post(`/units/${units[0]!.code}/discard`, { reasonCode: 'damaged', occurredAt: new Date(Date.now() + 86_400_000).toISOString() }), 422, 'rule_violation');
  });

  it('does not let an auditor discard', async () => {
    const auditor = await t.keyFor('auditor');
    const { units } = await seedChain(t.database.prisma, f, { units: 1 });
    await refused(() => auditor.post(`/units/${units[0]!.code}/discard`, { reasonCode: 'damaged', occurredAt: now() }), 403, 'forbidden');
  });
});
