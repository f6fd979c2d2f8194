// For a clinician, every unit, shipment, administration and patient of another facility does
// not exist: 404 on every route, reads and writes alike, never a 403, 409 or 422 that tells its
// state. Keys: a clinician's is bound to a facility where patients are treated; the last active
// admin key cannot be revoked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { seedChain, seedFacilities, type SeededChain } from './support/chain-fixtures.ts';
import { expectRefusedWithoutWrites } from './support/chain-fixtures.ts';
import { auditEventsWritten } from './support/audit-counts.ts';
import { signed } from './support/signing.ts';

describe.each(engines)('a clinician’s scope on %s', (engine) => {
  let t: TestApp;
  let mine: SeededChain;
  let theirs: SeededChain;
  let atBank: SeededChain;
  let clinician: Awaited<ReturnType<TestApp['keyFor']>>;
  let other: Awaited<ReturnType<TestApp['keyFor']>>;
  let theirPatient: string;
  let theirAdministration: string;
  let myPatient: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    const facilities = await seedFacilities(t.database.prisma);
    const otherClinic = await t.database.prisma.facility.create({ data: { kind: 'clinic', name: 'Other clinic' } });
    mine = await seedChain(t.database.prisma, facilities, { units: 2 });
    theirs = await seedChain(t.database.prisma, facilities, { units: 3, receivedAt: otherClinic.id });
    atBank = await seedChain(t.database.prisma, facilities, { units: 1, receivedAt: facilities.bankId });
    await t.database.prisma.unit.updateMany({ where: { lotId: atBank.lotId }, data: { status: 'released' } });
    clinician = await t.keyFor('clinician', { facilityId: facilities.clinicId });
    other = await t.keyFor('clinician', { facilityId: otherClinic.id });
    myPatient = (await clinician.post('/patients', { medicalRecordNumber: 'MINE-1' })).json().id;
    theirPatient = (await other.post('/patients', { medicalRecordNumber: 'THEIRS-1' })).json().id;
    const given = await other.post('/administrations', {
      unitCode: theirs.units[0]!.code, patientId: theirPatient, administeredAt: new Date(Date.now() - 3_600_000).toISOString(), anatomicalSite: 'knee', indication: 'burn',
    });
    expect(given.statusCode, given.body).toBe(201);
    theirAdministration = given.json().id;
    // One of theirs in quarantine at their clinic.
    await t.database.prisma.unit.update({ where: { id: theirs.units[2]!.id }, data: { status: 'quarantine' } });
  });
  afterAll(async () => t?.close());

  const dose = (unitCode: string, patientId: string) => ({ unitCode, patientId, administeredAt: new Date(Date.now() - 60_000).toISOString(), anatomicalSite: 'heel', indication: 'burn' });

  it('answers 404 to an administration of another facility’s unit, whatever its state, as for a unit that does not exist', async () => {
    const prisma = t.database.prisma;
    const unknown = await expectRefusedWithoutWrites(prisma, () => clinician.post('/administrations', dose('W999926999999T0001A01', myPatient)), 404, 'not_found');
    for (const unit of [theirs.units[0]!, theirs.units[1]!, theirs.units[2]!, atBank.units[0]!]) {
      const body = await expectRefusedWithoutWrites(prisma, () => clinician.post('/administrations', dose(unit.code, myPatient)), 404, 'not_found');
      expect(Object.keys(body).sort()).toEqual(Object.keys(unknown).sort());
      expect(body).not.toHaveProperty('currentStatus');
    }
  });

  it('answers 404 on every route for another facility’s units, shipments, administrations and patients', async () => {
    const prisma = t.database.prisma;
    const code = theirs.units[1]!.code;
    for (const url of [`/units/${code}`, `/units/${code}/label`, `/units/${code}/trace`, `/shipments/${theirs.shipmentId}`, `/administrations/${theirAdministration}`, `/patients/${theirPatient}`, `/patients/${theirPatient}/exposures`]) {
      expectProblem(await clinician.get(url), 404, 'not_found');
    }
    const writes = [
      () => clinician.post(`/shipments/${theirs.shipmentId}/receipt`, { receivedAt: new Date().toISOString(), conditionAcceptable: true, temperatureAcceptable: true }),
      () => clinician.post(`/units/${code}/discard`, { reasonCode: 'damaged', occurredAt: new Date().toISOString() }),
      () => clinician.post(`/units/${code}/return`, { reasonText: 'not ours', occurredAt: new Date().toISOString() }),
      () => clinician.post(`/administrations/${theirAdministration}/corrections`, { anatomicalSite: 'elbow', reasonCode: 'other', reasonText: 'x', ...signed('responsibility') }),
      () => clinician.post(`/administrations/${theirAdministration}/adverse-reactions`, { onsetAt: new Date().toISOString(), description: 'x', severity: 'mild', suspectedCommunicableDisease: false }),
      () => clinician.post('/administrations', dose(mine.units[0]!.code, theirPatient)),
    ];
    for (const write of writes) await expectRefusedWithoutWrites(prisma, write, 404, 'not_found');
    // Her own records answer as usual.
    expect((await clinician.get(`/units/${mine.units[0]!.code}`)).statusCode).toBe(200);
    expect((await clinician.get(`/shipments/${mine.shipmentId}`)).statusCode).toBe(200);
  });
});

describe.each(engines)('API keys on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());

  it('binds a clinician key only to a clinic or a hospital, and no other role to a facility', async () => {
    const kinds = ['tissue_bank', 'processor', 'laboratory', 'clinic', 'hospital'] as const;
    const ids = Object.fromEntries(
      await Promise.all(kinds.map(async (kind) => [kind, (await t.admin.post('/facilities', { kind, name: `A ${kind}` })).json().id as string])),
    );
    for (const kind of ['tissue_bank', 'processor', 'laboratory'] as const) {
      const before = await t.database.prisma.apiKey.count();
      const problem = expectProblem(await t.admin.post('/api-keys', { holderName: 'Dr. Wrong Place', role: 'clinician', facilityId: ids[kind] }), 422, 'rule_violation');
      expect(problem).toMatchObject({ errors: [{ field: 'body.facilityId' }], detail: expect.stringContaining(kind) });
      expect(await t.database.prisma.apiKey.count()).toBe(before);
    }
    for (const kind of ['clinic', 'hospital'] as const) {
      expect((await t.admin.post('/api-keys', { holderName: `Dr. ${kind}`, role: 'clinician', facilityId: ids[kind] })).statusCode).toBe(201);
    }
    expectProblem(await t.admin.post('/api-keys', { holderName: 'Coordinator', role: 'coordinator', facilityId: ids.clinic }), 422, 'rule_violation');
  });

  it('refuses to revoke the last active admin key (409), and lets one admin go while another remains', async () => {
    const keys = (await t.admin.get('/api-keys')).json().items as { id: string; role: string; revokedAt: string | null }[];
    const first = keys.find((k) => k.role === 'admin' && !k.revokedAt)!;
    const before = await auditEventsWritten(t.database.prisma);
    const problem = expectProblem(await t.admin.post(`/api-keys/${first.id}/revocation`, { reason: 'leaving' }), 409, 'conflict');
    expect(problem.detail).toMatch(/last active admin key/);
    expect(await auditEventsWritten(t.database.prisma)).toBe(before);
    const second = await t.keyFor('admin', { holderName: 'Second admin' });
    expect((await t.admin.post(`/api-keys/${first.id}/revocation`, { reason: 'leaving' })).statusCode).toBe(200);
    expectProblem(await second.post(`/api-keys/${second.keyId}/revocation`, { reason: 'me too' }), 409, 'conflict');
    // Two admins revoking each other at once: one succeeds, the other is refused.
    const created = (await second.post('/api-keys', { holderName: 'Third admin', role: 'admin' })).json();
    const third = { ...t.as(created.key), keyId: created.id as string };
    const results = await Promise.all([
      second.post(`/api-keys/${third.keyId}/revocation`, { reason: 'race' }),
      third.post(`/api-keys/${second.keyId}/revocation`, { reason: 'race' }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const active = await t.database.prisma.apiKey.count({ where: { role: 'admin', revokedAt: null } });
    expect(active).toBe(1);
  });
});
