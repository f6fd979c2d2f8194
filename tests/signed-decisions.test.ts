// Every decision Part 11 asks a signature for, beyond the release: eligibility, recall (with
// quality's countersignature), closing an adverse-reaction investigation or a deviation report,
// correcting an administration. Each is signed, shows its signature, and verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { hoursAgo, seedChain, seedFacilities, type ChainFacilities } from './support/chain-fixtures.ts';
import { completeDonorRecords, createDonor, determinationBody } from './support/donor-fixtures.ts';
import { signed } from './support/signing.ts';

type Key = Awaited<ReturnType<TestApp['keyFor']>>;

describe.each(engines)('signed decisions on %s', (engine) => {
  let t: TestApp;
  let f: ChainFacilities;
  let quality: Key;
  let secondQuality: Key;
  let clinician: Key;
  let auditor: Key;

  beforeAll(async () => {
    t = await startTestApp(engine);
    f = await seedFacilities(t.database.prisma);
    quality = await t.keyFor('quality', { holderName: 'QA Kim' });
    secondQuality = await t.keyFor('quality', { holderName: 'QA Second' });
    clinician = await t.keyFor('clinician', { facilityId: f.clinicId, holderName: 'Dr Okafor' });
    auditor = await t.keyFor('auditor');
  });
  afterAll(async () => t?.close());

  const verified = async (signatureId: string) => (await auditor.get(`/signatures/${signatureId}/verification`)).json().valid as boolean;

  it('signs an eligibility determination and shows it in the donor history [REQ-SIGN-01, REQ-SIGN-02]', async () => {
    const registered = await createDonor(t);
    await completeDonorRecords(t, registered);
    const refused = await t.admin.post(`/donors/${registered.donor.id}/eligibility-determinations`, determinationBody('eligible', signed('authorship')));
    expect(expectProblem(refused, 400, 'validation_failed').errors[0].field).toBe('body.signature.meaning');
    const res = await t.admin.post(`/donors/${registered.donor.id}/eligibility-determinations`, determinationBody('eligible', signed('approval')));
    expect(res.statusCode, res.body).toBe(201);
    const signature = res.json().signatures[0];
    expect(signature).toMatchObject({ signerId: t.adminSignerId, printedName: 'first administrator', meaning: 'approval', decisionKind: 'eligibility_determination' });
    const history = (await auditor.get(`/donors/${registered.donor.id}/history`)).json();
    expect(history.determinations[0].signatures).toEqual([signature]);
    expect(await verified(signature.id)).toBe(true);
  });

  it('signs a recall, and asks for a second person’s countersignature [REQ-SIGN-01, REQ-SIGN-02, REQ-SIGN-06]', async () => {
    const chain = await seedChain(t.database.prisma, f, { units: 2 });
    const res = await quality.post('/recalls', { scope: 'lot', lotId: chain.lotId, reason: 'sterility failure', ...signed('responsibility') });
    expect(res.statusCode, res.body).toBe(201);
    const recall = res.json();
    expect(recall).toMatchObject({ awaitingCountersignature: true, signatures: [{ printedName: 'QA Kim', meaning: 'responsibility', decisionKind: 'recall_initiation' }] });
    // Not by its initiator; by another person, once.
    expect(expectProblem(await quality.post(`/recalls/${recall.id}/countersignature`, signed('approval')), 403, 'forbidden').rule).toBe('segregation_of_duties');
    const countersigned = await secondQuality.post(`/recalls/${recall.id}/countersignature`, signed('approval'));
    expect(countersigned.statusCode, countersigned.body).toBe(201);
    expect(countersigned.json()).toMatchObject({ awaitingCountersignature: false });
    const report = (await auditor.get(`/recalls/${recall.id}`)).json();
    expect(report.signatures.map((s: { printedName: string; decisionKind: string }) => [s.printedName, s.decisionKind])).toEqual([
      ['QA Kim', 'recall_initiation'],
      ['QA Second', 'recall_countersignature'],
    ]);
    expectProblem(await t.admin.post(`/recalls/${recall.id}/countersignature`, signed('approval')), 409, 'invalid_state');
    for (const s of report.signatures) expect(await verified(s.id)).toBe(true);
    // The recall's reach is part of what was signed.
    await t.database.prisma.$executeRawUnsafe(`UPDATE recall_item SET outcome = 'other' WHERE recall_id = '${recall.id}'`);
    expect(await verified(report.signatures[0].id)).toBe(false);
  });

  it('signs the closure of an adverse-reaction investigation and of a deviation report, and the correction of an administration [REQ-SIGN-01, REQ-SIGN-02]', async () => {
    const chain = await seedChain(t.database.prisma, f, { units: 1 });
    const patient = (await clinician.post('/patients', { medicalRecordNumber: 'MRN-SIG-1' })).json();
    const other = (await clinician.post('/patients', { medicalRecordNumber: 'MRN-SIG-2' })).json();
    const given = (await clinician.post('/administrations', { unitCode: chain.units[0]!.code, patientId: patient.id, administeredAt: hoursAgo(3), anatomicalSite: 'knee', indication: 'burn' })).json();
    expect(given.signatures).toEqual([]);
    const corrected = await clinician.post(`/administrations/${given.id}/corrections`, { patientId: other.id, reasonCode: 'wrong_patient', reasonText: 'wristband', ...signed('authorship') });
    expect(corrected.statusCode, corrected.body).toBe(201);
    const correction = corrected.json();
    expect(correction.signatures[0]).toMatchObject({ printedName: 'Dr Okafor', meaning: 'authorship', decisionKind: 'administration_correction' });
    expect((await clinician.get(`/administrations/${correction.id}`)).json().signatures).toEqual(correction.signatures);
    const trace = (await auditor.get(`/units/${chain.units[0]!.code}/trace`)).json();
    expect(trace.administrations.find((a: { id: string }) => a.id === correction.id).signatures).toEqual(correction.signatures);
    expect(await verified(correction.signatures[0].id)).toBe(true);
    const procedure = (await auditor.get(`/fhir/Procedure/${correction.id}`)).json();
    expect(procedure.note).toContainEqual(expect.objectContaining({ authorString: 'Dr Okafor', time: correction.signatures[0].signedAt }));

    const reaction = (await clinician.post(`/administrations/${correction.id}/adverse-reactions`, { onsetAt: hoursAgo(1), description: 'redness', severity: 'mild', suspectedCommunicableDisease: false })).json();
    const closed = await quality.post(`/adverse-reactions/${reaction.id}/closure`, { outcome: 'not related to the graft', ...signed('review') });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json().signatures[0]).toMatchObject({ printedName: 'QA Kim', meaning: 'review', decisionKind: 'adverse_reaction_closure' });
    expect((await auditor.get(`/adverse-reactions/${reaction.id}`)).json().signatures).toEqual(closed.json().signatures);
    expect(await verified(closed.json().signatures[0].id)).toBe(true);

    const opened = (await quality.post(`/lots/${chain.lotId}/deviation-reports`, { coreRequirement: 'storage', description: 'freezer excursion' })).json();
    expect(opened.signatures).toEqual([]);
    const done = await quality.post(`/deviation-reports/${opened.id}/closure`, { outcome: 'units recalled', fdaReportReference: 'BPDR-1', ...signed('approval') });
    expect(done.statusCode, done.body).toBe(200);
    expect((await auditor.get(`/deviation-reports/${opened.id}`)).json().signatures).toEqual(done.json().signatures);
    expect(await verified(done.json().signatures[0].id)).toBe(true);
    await t.database.prisma.$executeRawUnsafe(`UPDATE deviation_report SET fda_report_reference = 'BPDR-2' WHERE id = '${opened.id}'`);
    expect(await verified(done.json().signatures[0].id)).toBe(false);
  });
});
