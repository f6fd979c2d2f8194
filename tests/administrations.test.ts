import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { engines } from './support/engines.ts';
import { startTestApp, type Client, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { seedChain, seedFacilities, hoursAgo, expectRefusedWithoutWrites, type ChainFacilities, type SeededChain } from './support/chain-fixtures.ts';
import { signed } from './support/signing.ts';

describe.each(engines)('administration of units to patients on %s', (engine) => {
  let t: TestApp;
  let f: ChainFacilities;
  let clinician: Client;
  let otherClinician: Client;
  let patientId: string;
  let otherPatientId: string;

  const administer = (client: Client, unitCode: string, extra: Record<string, unknown> = {}) =>
    client.post('/administrations', {
      unitCode, patientId, administeredAt: hoursAgo(1), anatomicalSite: 'left heel', indication: 'plantar_fasciitis', ...extra,
    });

  const refused = (request: () => Promise<LightMyRequestResponse>, status: number, code: string) =>
    expectRefusedWithoutWrites(t.database.prisma, request, status, code);

  beforeAll(async () => {
    t = await startTestApp(engine);
    f = await seedFacilities(t.database.prisma);
    clinician = await t.keyFor('clinician', { facilityId: f.clinicId, holderName: 'Dr Mira Okafor' });
    const otherClinic = (await t.admin.post('/facilities', { kind: 'clinic', name: 'Other clinic' })).json().id;
    otherClinician = await t.keyFor('clinician', { facilityId: otherClinic });
    patientId = (await clinician.post('/patients', { medicalRecordNumber: 'MRN-1001' })).json().id;
    otherPatientId = (await otherClinician.post('/patients', { medicalRecordNumber: 'MRN-9' })).json().id;
  });
  afterAll(async () => t?.close());

  describe('patients', () => {
    it("registers a patient at the clinician's own facility, by medical record number only", async () => {
      const res = await clinician.post('/patients', { medicalRecordNumber: 'MRN-2002', facilityId: otherPatientId });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ facilityId: f.clinicId, medicalRecordNumber: 'MRN-2002' });
      expect(Object.keys(res.json()).sort()).toEqual(['createdAt', 'facilityId', 'id', 'medicalRecordNumber']);
    });

    it('refuses a second patient with the same medical record number at the facility, naming the existing one', async () => {
      const body = await refused(() => clinician.post('/patients', { medicalRecordNumber: 'MRN-1001' }), 409, 'conflict');
      expect(body.existingId).toBe(patientId);
      expect(body.detail).not.toContain('MRN-1001');
    });

    it("hides another facility's patient from a clinician (404, not 403)", async () => {
      expectProblem(await clinician.get(`/patients/${otherPatientId}`), 404, 'not_found');
      expect((await clinician.get(`/patients?medicalRecordNumber=MRN-9`)).json().items).toEqual([]);
      expect((await clinician.get(`/patients?medicalRecordNumber=MRN-1001`)).json().items).toHaveLength(1);
    });

    it('asks an admin to name the facility', async () => {
      const body = await refused(() => t.admin.post('/patients', { medicalRecordNumber: 'X' }), 422, 'rule_violation');
      expect(body.errors).toEqual([{ field: 'body.facilityId', message: expect.any(String) }]);
    });
  });

  describe('administering', () => {
    let chain: SeededChain;
    beforeAll(async () => {
      chain = await seedChain(t.database.prisma, f, { units: 3 });
    });

    it('records the administration of a unit typed with its check character and spaces', async () => {
      const res = await administer(clinician, chain.units[0]!.typed, { notes: 'no complications' });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({
        unitCode: chain.units[0]!.code, patientId, facilityId: f.clinicId, clinician: 'Dr Mira Okafor', indication: 'plantar_fasciitis', current: true, correctsId: null,
      });
      const unit = await t.database.prisma.unit.findUniqueOrThrow({ where: { id: chain.units[0]!.id } });
      expect(unit.status).toBe('administered');
      const events = await (await t.auditLog()).findMany({ where: { entityId: { in: [unit.id, res.json().id] } } });
      expect(events.map((e) => e.action).sort()).toEqual(['administration.created', 'unit.administered']);
      expect((await clinician.get(`/administrations/${res.json().id}`)).json()).toMatchObject({ id: res.json().id, current: true });
    });

    it('refuses a unit already administered, naming its status', async () => {
      const body = await refused(() => administer(clinician, chain.units[0]!.code), 409, 'invalid_state');
      expect(body.currentStatus).toBe('administered');
    });

    it('refuses a code whose check character was mistyped, on the unitCode field', async () => {
      const body = await refused(() => administer(clinician, chain.units[1]!.mistyped), 400, 'validation_failed');
      expect(body.errors).toEqual([{ field: 'body.unitCode', message: expect.stringMatching(/check character/) }]);
    });

    it('refuses an unknown unit', async () => {
      await refused(() => administer(clinician, `${chain.din}T0001Z99`), 404, 'not_found');
    });

    it.each(['on_hold', 'recalled', 'discarded', 'quarantine', 'rejected', 'expired', 'released'] as const)(
      'refuses a unit that is %s, naming the status [REQ-QUAR-03]',
      async (status) => {
        const seeded = await seedChain(t.database.prisma, f, { units: 1 });
        await t.database.prisma.unit.update({ where: { id: seeded.units[0]!.id }, data: { status } });
        const body = await refused(() => administer(clinician, seeded.units[0]!.code), 409, 'invalid_state');
        expect(body.currentStatus).toBe(status);
      },
    );

    it('refuses a unit that expired before the administration date [REQ-EXP-01]', async () => {
      const seeded = await seedChain(t.database.prisma, f, { units: 1, expiresOn: new Date(new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10)) });
      const body = await refused(() => administer(clinician, seeded.units[0]!.code), 422, 'rule_violation');
      expect(body.detail).toMatch(/expired on/);
    });

    it('accepts a unit on its expiry day', async () => {
      const today = new Date(new Date().toISOString().slice(0, 10));
      const seeded = await seedChain(t.database.prisma, f, { units: 1, expiresOn: today });
      const res = await administer(clinician, seeded.units[0]!.code, { administeredAt: new Date(today.getTime() + 60_000).toISOString() });
      expect(res.statusCode, res.body).toBe(201);
    });

    it('answers 404 for a unit held at another facility, as for one that does not exist: its state does not leak [REQ-ADMIN-02]', async () => {
      const body = await refused(() => administer(otherClinician, chain.units[1]!.code, { patientId: otherPatientId }), 404, 'not_found');
      expect(body).not.toHaveProperty('currentStatus');
    });

    it('refuses a unit whose lot was flagged for review after the donor withdrew her consent', async () => {
      const seeded = await seedChain(t.database.prisma, f, { units: 1 });
      await t.database.prisma.lot.update({ where: { id: seeded.lotId }, data: { reviewFlaggedAt: new Date(), reviewFlagReason: 'consent withdrawn' } });
      const body = await refused(() => administer(clinician, seeded.units[0]!.code), 422, 'rule_violation');
      expect(body.detail).toMatch(/flagged for review.*withdrew her consent/);
    });

    it('refuses a unit still in transit', async () => {
      const seeded = await seedChain(t.database.prisma, f, { units: 1 });
      await t.database.prisma.unit.update({ where: { id: seeded.units[0]!.id }, data: { locationFacilityId: null, inTransitShipmentId: seeded.shipmentId } });
      // Not yet at her facility: for the clinician it is not there (404); an admin is told why (422).
      await refused(() => administer(clinician, seeded.units[0]!.code), 404, 'not_found');
      const body = await refused(() => administer(t.admin, seeded.units[0]!.code), 422, 'rule_violation');
      expect(body.detail).toMatch(/in transit/);
    });

    it('refuses a unit located at the facility without a recorded receipt', async () => {
      const seeded = await seedChain(t.database.prisma, f, { units: 1 });
      await t.database.prisma.shipmentReceipt.deleteMany({ where: { shipmentId: seeded.shipmentId } });
      const body = await refused(() => administer(clinician, seeded.units[0]!.code), 422, 'rule_violation');
      expect(body.detail).toMatch(/not been received/);
    });

    it("refuses a patient of another facility as if they did not exist", async () => {
      await refused(() => administer(clinician, chain.units[1]!.code, { patientId: otherPatientId }), 404, 'not_found');
    });

    it('refuses an administration time in the future', async () => {
      await refused(() => administer(clinician, chain.units[1]!.code, { administeredAt: new Date(Date.now() + 86_400_000).toISOString() }), 422, 'rule_violation');
    });

    it('asks for the detail of an "other" indication', async () => {
      await refused(() => administer(clinician, chain.units[1]!.code, { indication: 'other' }), 400, 'validation_failed');
    });

    it('lets exactly one of ten concurrent administrations of one unit succeed [REQ-ADMIN-01]', async () => {
      const seeded = await seedChain(t.database.prisma, f, { units: 1 });
      const before = await t.database.prisma.administration.count();
      const results = await Promise.all(Array.from({ length: 10 }, () => administer(clinician, seeded.units[0]!.code)));
      const statuses = results.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([201, ...Array(9).fill(409)]);
      for (const r of results.filter((r) => r.statusCode === 409)) expect(r.json().currentStatus).toBe('administered');
      expect(await t.database.prisma.administration.count({ where: { unitId: seeded.units[0]!.id } })).toBe(1);
      expect(await t.database.prisma.administration.count()).toBe(before + 1);
      expect((await t.admin.get('/audit-events/verification')).json().intact).toBe(true);
    });

    it('lets the database refuse a second current administration of a unit', async () => {
      const existing = await t.database.prisma.administration.findFirstOrThrow({ where: { unitId: chain.units[0]!.id } });
      const { id: _id, correctsId: _c, createdAt: _ca, ...copy } = existing;
      await expect(t.database.prisma.administration.create({ data: copy })).rejects.toMatchObject({ code: 'P2002' });
    });
  });

  describe('corrections', () => {
    let original: { id: string; unitCode: string };
    let secondPatientId: string;
    beforeAll(async () => {
      const seeded = await seedChain(t.database.prisma, f, { units: 1 });
      original = (await administer(clinician, seeded.units[0]!.code)).json();
      secondPatientId = (await clinician.post('/patients', { medicalRecordNumber: 'MRN-3003' })).json().id;
    });

    it('records a correction of the wrong patient as a new version that points at the old one [REQ-REC-01]', async () => {
      const res = await clinician.post(`/administrations/${original.id}/corrections`, {
        patientId: secondPatientId, reasonCode: 'wrong_patient', reasonText: 'scanned the wrong wristband', ...signed('responsibility') });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ correctsId: original.id, patientId: secondPatientId, current: true, correctionReasonCode: 'wrong_patient', unitCode: original.unitCode });
      const old = (await clinician.get(`/administrations/${original.id}`)).json();
      expect(old).toMatchObject({ patientId, current: false, correctedById: res.json().id, supersededAt: expect.any(String) });
      const event = await (await t.auditLog()).findFirstOrThrow({ where: { action: 'administration.corrected', entityId: original.id } });
      expect(event.reason).toMatch(/wrong_patient: scanned/);
      const created = await (await t.auditLog()).findFirstOrThrow({ where: { action: 'administration.created', entityId: res.json().id } });
      expect(created.after).toMatchObject({ correctsId: original.id, patientId: secondPatientId });
    });

    it('refuses to correct a superseded version', async () => {
      const body = await refused(
        () => clinician.post(`/administrations/${original.id}/corrections`, { anatomicalSite: 'right heel', reasonCode: 'other', reasonText: 'x', ...signed('responsibility') }),
        409,
        'invalid_state',
      );
      expect(body.currentStatus).toBe('superseded');
    });

    it('refuses a corrected time in the future and a patient of another facility', async () => {
      const current = (await clinician.get(`/administrations/${original.id}`)).json().correctedById;
      await refused(
        () => clinician.post(`/administrations/${current}/corrections`, { administeredAt: new Date(Date.now() + 86_400_000).toISOString(), reasonCode: 'wrong_time', reasonText: 'typo', ...signed('responsibility') }),
        422,
        'rule_violation',
      );
      await refused(
        () => t.admin.post(`/administrations/${current}/corrections`, { patientId: otherPatientId, reasonCode: 'wrong_patient', reasonText: 'x', ...signed('responsibility') }),
        404,
        'not_found',
      );
    });

    it("hides another facility's administration from a clinician", async () => {
      expectProblem(await otherClinician.get(`/administrations/${original.id}`), 404, 'not_found');
    });
  });
});
