// Every collection has a list, paged one way (limit, cursor, nextCursor), with the filters its
// users need; a clinician's lists hold her facility's records, and another facility is "not found".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type Client, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { hoursAgo, seedChain, seedFacilities, type ChainFacilities, type SeededChain } from './support/chain-fixtures.ts';
import { consentBody, createDonor } from './support/donor-fixtures.ts';
import { idsOf, walkPages } from './support/pages.ts';
import { signed } from './support/signing.ts';

describe.each(engines)('lists on %s', (engine) => {
  let t: TestApp;
  let f: ChainFacilities;
  let otherClinicId: string;
  let clinician: Client;
  let otherClinician: Client;
  let quality: Client;
  let coordinator: Client;
  let auditor: Client;
  let atClinic: SeededChain;
  let atClinic2: SeededChain;
  let atOtherClinic: SeededChain;
  let patients: string[];
  let administrations: string[];

  const ok = async (res: Promise<{ statusCode: number; body: string; json(): any }>, status = 200) => {
    const done = await res;
    expect(done.statusCode, done.body).toBe(status);
    return done.json();
  };

  beforeAll(async () => {
    t = await startTestApp(engine);
    f = await seedFacilities(t.database.prisma);
    otherClinicId = (await ok(t.admin.post('/facilities', { kind: 'clinic', name: 'Other clinic' }), 201)).id;
    clinician = await t.keyFor('clinician', { facilityId: f.clinicId, holderName: 'Dr. Lee' });
    otherClinician = await t.keyFor('clinician', { facilityId: otherClinicId, holderName: 'Dr. Other' });
    quality = await t.keyFor('quality');
    coordinator = await t.keyFor('coordinator');
    auditor = await t.keyFor('auditor');
    atClinic = await seedChain(t.database.prisma, f, { units: 3 });
    atClinic2 = await seedChain(t.database.prisma, f, { units: 1 });
    atOtherClinic = await seedChain(t.database.prisma, f, { units: 1, receivedAt: otherClinicId });
    patients = [];
    for (const mrn of ['MRN-L1', 'MRN-L2', 'MRN-L3']) patients.push((await ok(clinician.post('/patients', { medicalRecordNumber: mrn }), 201)).id);
    await ok(otherClinician.post('/patients', { medicalRecordNumber: 'MRN-ELSEWHERE' }), 201);
    administrations = [];
    for (const [i, unit] of atClinic.units.entries()) {
      const body = { unitCode: unit.typed, patientId: patients[i === 2 ? 1 : 0], administeredAt: hoursAgo(10 - i), anatomicalSite: 'left heel', indication: 'plantar_fasciitis' };
      administrations.push((await ok(clinician.post('/administrations', body), 201)).id);
    }
  });
  afterAll(async () => t?.close());

  it('pages every list with limit and cursor, as one page would list them, never skipping or repeating an item [REQ-LIST-01]', async () => {
    const donor = (await createDonor(t)).donor;
    for (const version of ['v1', 'v2', 'v3']) await ok(t.admin.post(`/donors/${donor.id}/consents`, consentBody({ formVersion: version })), 201);
    await ok(quality.post('/recalls', { scope: 'lot', lotId: atClinic2.lotId, reason: 'first', ...signed('responsibility') }), 201);
    await ok(quality.post('/recalls', { scope: 'lot', lotId: atOtherClinic.lotId, reason: 'second', ...signed('responsibility') }), 201);
    await ok(quality.post('/recalls', { scope: 'donor', donorId: atOtherClinic.donorId, reason: 'third', ...signed('responsibility') }), 201);
    const lists = [
      `/donors/${donor.id}/consents`,
      '/shipments',
      `/shipments?facilityId=${f.clinicId}&direction=incoming`,
      '/administrations',
      `/administrations?patientId=${patients[0]}`,
      '/recalls',
      '/recall-notices',
      `/patients?facilityId=${f.clinicId}`,
      '/api-keys',
      '/adverse-reactions',
      '/deviation-reports',
      '/facilities',
      '/donors',
      '/lots',
    ];
    for (const url of lists) {
      const all = (await ok(t.admin.get(`${url}${url.includes('?') ? '&' : '?'}limit=200`))).items;
      expect(idsOf(await walkPages(t.admin, url, 1)), url).toEqual(idsOf(all));
      expect(idsOf(await walkPages(t.admin, url, 2)), url).toEqual(idsOf(all));
    }
    const consents = (await ok(t.admin.get(`/donors/${donor.id}/consents`))).items;
    expect(consents.map((c: { formVersion: string }) => c.formVersion)).toEqual(['v1', 'v2', 'v3']);
  });

  it('lists the consents of a donor, withdrawn ones with their withdrawal; 404 for a donor that does not exist, 403 for a clinician [REQ-LIST-01]', async () => {
    const donor = (await createDonor(t)).donor;
    const first = await ok(t.admin.post(`/donors/${donor.id}/consents`, consentBody()), 201);
    await ok(t.admin.post(`/donors/${donor.id}/consents`, consentBody({ scope: ['research'] })), 201);
    await ok(t.admin.post(`/donors/${donor.id}/consents/${first.id}/withdrawal`, { withdrawnAt: new Date().toISOString(), reason: 'changed her mind' }), 201);
    const listed = (await ok(auditor.get(`/donors/${donor.id}/consents`))).items;
    expect(listed).toEqual([
      expect.objectContaining({ id: first.id, withdrawal: expect.objectContaining({ reason: 'changed her mind' }) }),
      expect.objectContaining({ scope: ['research'], withdrawal: null }),
    ]);
    expectProblem(await t.admin.get('/donors/00000000-0000-4000-8000-000000000000/consents'), 404, 'not_found');
    expectProblem(await clinician.get(`/donors/${donor.id}/consents`), 403, 'forbidden');
  });

  it('lists shipments by facility, direction and status; a clinician sees those of her facility [REQ-LIST-01]', async () => {
    // A shipment still on its way to the other clinic.
    const inTransit = await t.database.prisma.shipment.create({
      data: { fromFacilityId: f.bankId, toFacilityId: otherClinicId, shippedAt: new Date(), shippedBy: 'Dana', conditions: 'ambient' },
    });
    const ids = async (client: Client, query: string) => idsOf((await ok(client.get(`/shipments?limit=200&${query}`))).items);
    const incoming = await ids(coordinator, `facilityId=${f.clinicId}&direction=incoming`);
    expect(incoming).toEqual([atClinic.shipmentId, atClinic2.shipmentId]);
    expect(await ids(coordinator, `facilityId=${f.bankId}&direction=incoming`)).toEqual([]);
    expect(await ids(coordinator, `facilityId=${f.bankId}&direction=outgoing`)).toEqual([atClinic.shipmentId, atClinic2.shipmentId, atOtherClinic.shipmentId, inTransit.id]);
    expect(await ids(coordinator, `facilityId=${f.bankId}`)).toEqual([atClinic.shipmentId, atClinic2.shipmentId, atOtherClinic.shipmentId, inTransit.id]);
    expect(await ids(coordinator, `facilityId=${otherClinicId}&status=in_transit`)).toEqual([inTransit.id]);
    expect(await ids(coordinator, `facilityId=${otherClinicId}&status=received`)).toEqual([atOtherClinic.shipmentId]);
    // A clinician: her facility, whatever she asks; another facility is not found for her.
    const hers = await ids(clinician, '');
    expect(hers).toEqual(expect.arrayContaining([atClinic.shipmentId, atClinic2.shipmentId]));
    expect(hers).not.toContain(atOtherClinic.shipmentId);
    expect(await ids(otherClinician, 'direction=incoming')).toEqual([atOtherClinic.shipmentId, inTransit.id]);
    expectProblem(await clinician.get(`/shipments?facilityId=${otherClinicId}`), 404, 'not_found');
    // direction is relative to a facility: without one it cannot be answered.
    const problem = expectProblem(await coordinator.get('/shipments?direction=outgoing'), 422, 'rule_violation');
    expect(problem.errors).toEqual([{ field: 'query.facilityId', message: expect.stringMatching(/facilityId/) }]);
    expectProblem(await coordinator.get('/shipments?direction=sideways'), 400, 'validation_failed');
  });

  it('lists administrations by facility, patient, unit and version; a clinician sees those of her facility [REQ-LIST-01]', async () => {
    const ids = async (client: Client, query: string) => idsOf((await ok(client.get(`/administrations?limit=200&${query}`))).items);
    expect(await ids(auditor, `patientId=${patients[0]}`)).toEqual([administrations[0], administrations[1]]);
    expect(await ids(auditor, `patientId=${patients[1]}`)).toEqual([administrations[2]]);
    expect(await ids(auditor, `unitCode=${encodeURIComponent(atClinic.units[1]!.typed)}`)).toEqual([administrations[1]]);
    expect(await ids(clinician, `facilityId=${f.clinicId}`)).toEqual(expect.arrayContaining(administrations));

    // A correction is a new version: every version is listed, current=true gives the ones in force.
    const corrected = await ok(clinician.post(`/administrations/${administrations[2]}/corrections`, { patientId: patients[2], reasonCode: 'wrong_patient', reasonText: 'chart mix-up', ...signed('responsibility') }), 201);
    expect(await ids(auditor, `unitCode=${atClinic.units[2]!.code}`)).toEqual([administrations[2], corrected.id]);
    expect(await ids(auditor, `unitCode=${atClinic.units[2]!.code}&current=true`)).toEqual([corrected.id]);
    expect(await ids(auditor, `unitCode=${atClinic.units[2]!.code}&current=false`)).toEqual([administrations[2]]);
    expect(await ids(auditor, `patientId=${patients[2]}`)).toEqual([corrected.id]);

    expect(await ids(otherClinician, '')).toEqual([]);
    expectProblem(await otherClinician.get(`/administrations?patientId=${patients[0]}`), 404, 'not_found');
    expectProblem(await otherClinician.get(`/administrations?unitCode=${atClinic.units[0]!.code}`), 404, 'not_found');
    expectProblem(await otherClinician.get(`/administrations?facilityId=${f.clinicId}`), 404, 'not_found');
    const mistyped = expectProblem(await auditor.get(`/administrations?unitCode=${atClinic.units[0]!.mistyped}`), 400, 'validation_failed');
    expect(mistyped.errors).toEqual([{ field: 'query.unitCode', message: expect.stringMatching(/check character/) }]);
  });

  it("lists a facility's patients for its clinicians, and for others by facility or medical record number [REQ-LIST-01]", async () => {
    const mine = (await ok(clinician.get('/patients'))).items;
    expect(idsOf(mine)).toEqual(patients);
    expect((await ok(otherClinician.get('/patients'))).items.map((p: { medicalRecordNumber: string }) => p.medicalRecordNumber)).toEqual(['MRN-ELSEWHERE']);
    expect(idsOf((await ok(auditor.get(`/patients?facilityId=${f.clinicId}`))).items)).toEqual(patients);
    expect(idsOf((await ok(auditor.get('/patients?medicalRecordNumber=MRN-L2'))).items)).toEqual([patients[1]]);
    expectProblem(await clinician.get(`/patients?facilityId=${otherClinicId}`), 404, 'not_found');
    expectProblem(await coordinator.get('/patients'), 403, 'forbidden');
  });

  it('lists recalls with the totals of their reach, by scope, lot and donor [REQ-LIST-01]', async () => {
    const chain = await seedChain(t.database.prisma, f, { units: 2 });
    const recall = await ok(quality.post('/recalls', { scope: 'lot', lotId: chain.lotId, reason: 'sterility', ...signed('responsibility') }), 201);
    const byLot = (await ok(coordinator.get(`/recalls?lotId=${chain.lotId}`))).items;
    expect(byLot).toEqual([
      { id: recall.id, scope: 'lot', lotId: chain.lotId, donorId: null, reason: 'sterility', initiatedBy: recall.initiatedBy, initiatedAt: recall.initiatedAt, totals: recall.totals },
    ]);
    expect(recall.totals).toEqual({ held: 2, administered: 0, discarded: 0, other: 0 });
    const byDonor = await ok(quality.post('/recalls', { scope: 'donor', donorId: chain.donorId, reason: 'seroconversion', ...signed('responsibility') }), 201);
    expect(idsOf((await ok(auditor.get(`/recalls?donorId=${chain.donorId}`))).items)).toEqual([byDonor.id]);
    expect((await ok(auditor.get('/recalls?scope=donor&limit=200'))).items.every((r: { scope: string }) => r.scope === 'donor')).toBe(true);
    expectProblem(await clinician.get('/recalls'), 403, 'forbidden');
  });

  it('lists the notices sent to consignees by facility, recall, kind and status, without the body sent [REQ-LIST-01]', async () => {
    const chain = await seedChain(t.database.prisma, f, { units: 1, receivedAt: otherClinicId });
    const recall = await ok(quality.post('/recalls', { scope: 'lot', lotId: chain.lotId, reason: 'packaging breach', ...signed('responsibility') }), 201);
    const byRecall = (await ok(auditor.get(`/recall-notices?recallId=${recall.id}`))).items;
    expect(byRecall).toEqual([expect.objectContaining({ kind: 'recall', recallId: recall.id, facilityId: otherClinicId, sourceId: recall.id })]);
    expect(Object.keys(byRecall[0]).sort()).toEqual(['attempts', 'createdAt', 'deliveredAt', 'facilityId', 'id', 'kind', 'nextAttemptAt', 'recallId', 'sourceId', 'status']);
    const full = await ok(coordinator.get(`/recall-notices/${byRecall[0].id}`));
    expect(full).toMatchObject({ ...byRecall[0], payload: expect.any(Object) });
    const atOther = (await ok(t.admin.get(`/recall-notices?facilityId=${otherClinicId}&kind=recall&limit=200`))).items;
    expect(atOther.every((n: { facilityId: string; kind: string }) => n.facilityId === otherClinicId && n.kind === 'recall')).toBe(true);
    expect(idsOf(atOther)).toContain(byRecall[0].id);
    const statuses = new Set(((await ok(t.admin.get(`/recall-notices?status=${byRecall[0].status}&limit=200`))).items as { status: string }[]).map((n) => n.status));
    expect([...statuses]).toEqual([byRecall[0].status]);
    expectProblem(await clinician.get('/recall-notices'), 403, 'forbidden');
    expectProblem(await t.admin.get('/recall-notices?status=lost'), 400, 'validation_failed');
  });

  it('lists API keys by role and revocation, never their secrets [REQ-LIST-01]', async () => {
    const spare = await t.keyFor('auditor', { holderName: 'Spare auditor' });
    await ok(t.admin.post(`/api-keys/${spare.keyId}/revocation`, { reason: 'left' }));
    const auditors = (await ok(auditor.get('/api-keys?role=auditor&limit=200'))).items;
    expect(auditors.every((k: { role: string }) => k.role === 'auditor')).toBe(true);
    expect(idsOf(auditors)).toContain(spare.keyId);
    const revoked = (await ok(t.admin.get('/api-keys?revoked=true&limit=200'))).items;
    expect(idsOf(revoked)).toEqual([spare.keyId]);
    expect(idsOf((await ok(t.admin.get('/api-keys?revoked=false&limit=200'))).items)).not.toContain(spare.keyId);
    expect(idsOf((await ok(t.admin.get(`/api-keys?facilityId=${otherClinicId}`))).items)).toHaveLength(1);
    for (const key of auditors) {
      expect(Object.keys(key).sort()).toEqual(['createdAt', 'expiresAt', 'facilityId', 'graceEndsAt', 'holderName', 'id', 'lastUsedAt', 'prefix', 'revokedAt', 'role', 'rotatedAt', 'rotatedFromId', 'status']);
    }
  });

  it('pages the audit trail with cursor, and still with after, its older name [REQ-LIST-01]', async () => {
    const byCursor = await walkPages<{ seq: string }>(t.admin, '/audit-events?entityType=patient', 2);
    const byAfter = await walkPages<{ seq: string }>(t.admin, '/audit-events?entityType=patient', 2, 'after');
    expect(byCursor.map((e) => e.seq)).toEqual(byAfter.map((e) => e.seq));
    expect(byCursor.length).toBeGreaterThanOrEqual(4);
  });
});
