import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type Client, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { seedChain, seedFacilities, hoursAgo, type ChainFacilities, type SeededChain } from './support/chain-fixtures.ts';
import { auditEventsWritten } from './support/audit-counts.ts';
import { signed } from './support/signing.ts';

describe.each(engines)('traceability both ways on %s', (engine) => {
  let t: TestApp;
  let f: ChainFacilities;
  let chain: SeededChain;
  let clinician: Client;
  let auditor: Client & { keyId: string };
  let patientId: string;
  let administrationId: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    f = await seedFacilities(t.database.prisma);
    chain = await seedChain(t.database.prisma, f, { units: 3 });
    clinician = await t.keyFor('clinician', { facilityId: f.clinicId, holderName: 'Dr Okafor' });
    auditor = await t.keyFor('auditor', { holderName: 'Ines Auditor' });
    patientId = (await clinician.post('/patients', { medicalRecordNumber: 'MRN-777' })).json().id;
    const administered = await clinician.post('/administrations', {
      unitCode: chain.units[0]!.code, patientId, administeredAt: hoursAgo(2), anatomicalSite: 'right knee', indication: 'knee_osteoarthritis',
    });
    administrationId = administered.json().id;
    await clinician.post(`/units/${chain.units[1]!.code}/discard`, { reasonCode: 'damaged', occurredAt: hoursAgo(1) });
    await clinician.post(`/administrations/${administrationId}/adverse-reactions`, {
      onsetAt: hoursAgo(1), description: 'local swelling', severity: 'mild', suspectedCommunicableDisease: false,
    });
  });
  afterAll(async () => t?.close());

  it('traces a dose back to its lot, donor code, consent, screening, eligibility, processing, release and shipment [REQ-TRACE-01]', async () => {
    const res = await auditor.get(`/units/${encodeURIComponent(chain.units[0]!.typed)}/trace`);
    expect(res.statusCode, res.body).toBe(200);
    const trace = res.json();
    expect(trace.unit).toMatchObject({ code: chain.units[0]!.code, status: 'administered', place: { facilityId: f.clinicId } });
    expect(trace.lot).toMatchObject({ id: chain.lotId, din: chain.din, status: 'released' });
    expect(trace.donor).toMatchObject({ id: chain.donorId, donorCode: chain.donorCode });
    expect(trace.consents).toEqual([expect.objectContaining({ formVersion: 'v3', withdrawal: null })]);
    expect(trace.screeningTests).toHaveLength(4);
    expect(trace.screeningTests[0]).toMatchObject({ result: 'negative', interpretation: 'non-reactive' });
    expect(trace.medicalHistoryReviews).toEqual([expect.objectContaining({ outcome: 'acceptable' })]);
    expect(trace.eligibilityDeterminations).toEqual([expect.objectContaining({ outcome: 'eligible', determinedBy: 'Dr Rao' })]);
    expect(trace.processingSteps).toEqual([expect.objectContaining({ kind: 'rinse', parameters: { solution: 'saline', minutes: 30 }, deviations: [expect.objectContaining({ resolution: 'no impact' })] })]);
    expect(trace.preservations).toEqual([expect.objectContaining({ method: 'dehydrated', storageTempMinC: 15, storageTempMaxC: 30 })]);
    expect(trace.releaseDecisions).toEqual([expect.objectContaining({ decision: 'released', decidedBy: 'QA Kim' })]);
    expect(trace.shipments).toEqual([expect.objectContaining({ id: chain.shipmentId, toFacilityId: f.clinicId, receivedAcceptable: true, receipt: expect.objectContaining({ receivedBy: 'Nurse Joy' }) })]);
    expect(trace.administrations).toEqual([expect.objectContaining({ id: administrationId, patientId, current: true })]);
    expect(trace.adverseReactions).toEqual([expect.objectContaining({ description: 'local swelling', severity: 'mild' })]);
    expect(res.body).not.toContain('MRN-777');
  });

  it('shows a discarded unit’s disposition in its backward trace', async () => {
    const trace = (await auditor.get(`/units/${chain.units[1]!.code}/trace`)).json();
    expect(trace.unit.status).toBe('discarded');
    expect(trace.dispositions).toEqual([expect.objectContaining({ kind: 'discarded', reasonCode: 'damaged', recordedBy: 'Dr Okafor' })]);
    expect(trace.administrations).toEqual([]);
  });

  it('records every trace as an audit read event naming who asked', async () => {
    const before = await auditEventsWritten(t.database.prisma);
    await auditor.get(`/units/${chain.units[2]!.code}/trace`);
    await auditor.get(`/lots/${chain.lotId}/trace`);
    await auditor.get(`/donors/${chain.donorId}/trace`);
    await auditor.get(`/patients/${patientId}/exposures`);
    const events = await (await t.auditLog()).findMany({ where: { seq: { gt: BigInt(before) } }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => [e.action, e.actorName, e.actorKeyId])).toEqual([
      ['unit.trace_read', 'Ines Auditor', auditor.keyId],
      ['lot.trace_read', 'Ines Auditor', auditor.keyId],
      ['donor.trace_read', 'Ines Auditor', auditor.keyId],
      ['patient.exposures_read', 'Ines Auditor', auditor.keyId],
    ]);
    expect(JSON.stringify(events.map((e) => [e.before, e.after]))).not.toContain('MRN-777');
    expect((await t.admin.get('/audit-events/verification')).json().intact).toBe(true);
  });

  it('traces a lot forward to every unit, its status and place, and every patient [REQ-TRACE-02]', async () => {
    const res = await auditor.get(`/lots/${chain.lotId}/trace`);
    expect(res.statusCode, res.body).toBe(200);
    const { donor, lot } = res.json();
    expect(donor).toEqual({ id: chain.donorId, donorCode: chain.donorCode });
    const byCode = Object.fromEntries(lot.units.map((u: { code: string }) => [u.code, u]));
    expect(byCode[chain.units[0]!.code]).toMatchObject({
      status: 'administered',
      administration: { administrationId, facilityId: f.clinicId, facilityName: `Wound clinic ${f.fin}`, patientId, medicalRecordNumber: 'MRN-777' },
    });
    expect(byCode[chain.units[1]!.code]).toMatchObject({ status: 'discarded', administration: null, dispositions: [expect.objectContaining({ reasonCode: 'damaged' })] });
    expect(byCode[chain.units[2]!.code]).toMatchObject({ status: 'distributed', place: { facilityId: f.clinicId, inTransitShipmentId: null } });
  });

  it('traces a donor forward through every lot', async () => {
    const second = await seedChain(t.database.prisma, f, { units: 1 });
    await t.database.prisma.lot.update({ where: { id: second.lotId }, data: { donorId: chain.donorId } });
    const res = await auditor.get(`/donors/${chain.donorId}/trace`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().donor).toMatchObject({ id: chain.donorId, donorCode: chain.donorCode });
    expect(res.json().lots.map((l: { id: string }) => l.id).sort()).toEqual([chain.lotId, second.lotId].sort());
    expect(res.json().lots.flatMap((l: { units: unknown[] }) => l.units)).toHaveLength(4);
  });

  it('lists every unit a patient received with its lot and donor', async () => {
    const res = await clinician.get(`/patients/${patientId}/exposures`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      patient: { id: patientId, medicalRecordNumber: 'MRN-777' },
      exposures: [{ administrationId, unit: { code: chain.units[0]!.code }, lot: { id: chain.lotId, din: chain.din }, donor: { id: chain.donorId, donorCode: chain.donorCode } }],
    });
  });

  it('follows a correction: the exposure moves to the corrected patient, the backward trace keeps both versions', async () => {
    const seeded = await seedChain(t.database.prisma, f, { units: 1 });
    const first = (await clinician.post('/patients', { medicalRecordNumber: 'MRN-A' })).json().id;
    const second = (await clinician.post('/patients', { medicalRecordNumber: 'MRN-B' })).json().id;
    const given = (await clinician.post('/administrations', { unitCode: seeded.units[0]!.code, patientId: first, administeredAt: hoursAgo(1), anatomicalSite: 'heel', indication: 'burn' })).json();
    const fixed = (await clinician.post(`/administrations/${given.id}/corrections`, { patientId: second, reasonCode: 'wrong_patient', reasonText: 'mix-up', ...signed('responsibility') })).json();
    expect((await clinician.get(`/patients/${first}/exposures`)).json().exposures).toEqual([]);
    expect((await clinician.get(`/patients/${second}/exposures`)).json().exposures).toEqual([expect.objectContaining({ administrationId: fixed.id })]);
    const trace = (await auditor.get(`/units/${seeded.units[0]!.code}/trace`)).json();
    expect(trace.administrations.map((a: { id: string; current: boolean }) => [a.id, a.current])).toEqual([[given.id, false], [fixed.id, true]]);
    const lot = (await auditor.get(`/lots/${seeded.lotId}/trace`)).json().lot;
    expect(lot.units[0].administration).toMatchObject({ administrationId: fixed.id, patientId: second, medicalRecordNumber: 'MRN-B' });
  });

  it("hides other facilities' units and patients from a clinician, and forward traces from clinicians", async () => {
    const elsewhere = (await t.admin.post('/facilities', { kind: 'clinic', name: 'Elsewhere' })).json().id;
    const outsider = await t.keyFor('clinician', { facilityId: elsewhere });
    const before = await auditEventsWritten(t.database.prisma);
    expectProblem(await outsider.get(`/units/${chain.units[0]!.code}/trace`), 404, 'not_found');
    expectProblem(await outsider.get(`/patients/${patientId}/exposures`), 404, 'not_found');
    expectProblem(await clinician.get(`/lots/${chain.lotId}/trace`), 403, 'forbidden');
    expectProblem(await clinician.get(`/donors/${chain.donorId}/trace`), 403, 'forbidden');
    expect(await auditEventsWritten(t.database.prisma)).toBe(before);
    expect((await clinician.get(`/units/${chain.units[0]!.code}/trace`)).statusCode).toBe(200);
  });

  it('answers 404 for unknown units, lots and donors and 400 for a mistyped code', async () => {
    expectProblem(await auditor.get(`/units/${chain.din}T0001Z99/trace`), 404, 'not_found');
    expectProblem(await auditor.get(`/lots/${chain.donorId}/trace`), 404, 'not_found');
    expectProblem(await auditor.get(`/donors/${chain.lotId}/trace`), 404, 'not_found');
    expectProblem(await auditor.get(`/units/${chain.units[0]!.mistyped}/trace`), 400, 'validation_failed');
  });
});
