// The whole chain through the public API only, as a tissue bank, a clinic and an auditor use it:
// donor → consent → screening → eligibility → lot → processing → preservation → release → units
// → shipment → receipt → administration → adverse reaction; then both traces and a recall.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type Client, type TestApp } from './support/test-app.ts';
import { createEligibleDonor, panelCodes } from './support/donor-fixtures.ts';
import { expectProblem } from './support/problems.ts';
import { signed } from './support/signing.ts';

const DAY = 86_400_000;
const isoDaysFromNow = (days: number) => new Date(Date.now() + days * DAY).toISOString();
const dateDaysFromNow = (days: number) => isoDaysFromNow(days).slice(0, 10);

async function created(res: Promise<{ statusCode: number; body: string; json(): any }>, status = 201) {
  const r = await res;
  expect(r.statusCode, r.body).toBe(status);
  return r.json();
}

describe.each(engines)('from donor to patient and back, then a recall, on %s', (engine) => {
  let t: TestApp;
  let coordinator: Client;
  let quality: Client;
  let clinician: Client;
  let otherClinician: Client;
  let auditor: Client;
  const ids: Record<string, string> = {};
  let units: { id: string; code: string; printedCode: string; status: string }[];

  beforeAll(async () => {
    t = await startTestApp(engine);
    ids.bank = (await created(t.admin.post('/facilities', { kind: 'tissue_bank', name: 'Placenta Tissue Bank', isbtFacilityId: 'W1234', euTissueEstablishmentCode: 'BE000123' }))).id;
    ids.clinic = (await created(t.admin.post('/facilities', { kind: 'clinic', name: 'Foot and Ankle Clinic' }))).id;
    ids.otherClinic = (await created(t.admin.post('/facilities', { kind: 'clinic', name: 'Wound Care Centre' }))).id;
    coordinator = await t.keyFor('coordinator', { holderName: 'Dana Reyes' });
    quality = await t.keyFor('quality', { holderName: 'Quinn Ahmed' });
    clinician = await t.keyFor('clinician', { holderName: 'Dr. Lee', facilityId: ids.clinic });
    otherClinician = await t.keyFor('clinician', { holderName: 'Dr. Other', facilityId: ids.otherClinic });
    auditor = await t.keyFor('auditor', { holderName: 'Ari Auditor' });
  });
  afterAll(async () => t?.close());

  it('walks the chain from an eligible donor to an administered dose', async () => {
    const { donor, deliveryFacility, recoveredAt } = await createEligibleDonor(t, { as: coordinator });
    ids.donor = donor.id;
    ids.donorCode = donor.donorCode;

    const lot = await created(
      coordinator.post('/lots', { donorId: donor.id, tissueType: 'amniotic_membrane', bankFacilityId: ids.bank, recoveryFacilityId: deliveryFacility.id, recoveredAt, recoveredBy: 'Recovery tech Sam' }),
    );
    ids.lot = lot.id;
    expect(lot).toMatchObject({ status: 'quarantine', din: expect.stringMatching(/^W1234\d{8}$/), euDonationSequence: `BE000123${lot.din}` });

    await created(
      coordinator.post(`/lots/${lot.id}/processing-steps`, {
        kind: 'rinse', startedAt: isoDaysFromNow(-1), finishedAt: isoDaysFromNow(-0.9), operator: 'Tech One', facilityId: ids.bank,
        parameters: { solution: 'saline 0.9%', volumeMl: 500 },
      }),
    );
    await created(
      coordinator.post(`/lots/${lot.id}/processing-steps`, {
        kind: 'terminal_sterilisation', startedAt: isoDaysFromNow(-0.8), finishedAt: isoDaysFromNow(-0.7), operator: 'Tech Two', facilityId: ids.bank,
        parameters: { method: 'gamma', doseKGy: 25 },
      }),
    );
    await created(coordinator.post(`/lots/${lot.id}/processing-completion`, { completedAt: isoDaysFromNow(-0.6) }), 200);
    await created(
      coordinator.post(`/lots/${lot.id}/preservation`, {
        method: 'dehydrated', storageTempMinC: 15, storageTempMaxC: 30, storageLocation: 'Room B', preservedAt: isoDaysFromNow(-0.5), expiresOn: dateDaysFromNow(730),
      }),
    );

    // The coordinator who recorded processing may not release; QA may.
    expectProblem(await t.as(null).post(`/lots/${lot.id}/release`, { decidedAt: new Date().toISOString(), reason: 'x', ...signed('approval') }), 401, 'unauthenticated');
    const released = await created(quality.post(`/lots/${lot.id}/release`, { decidedAt: new Date().toISOString(), reason: 'Record review complete', ...signed('approval') }));
    expect(JSON.stringify(released)).toContain('Quinn Ahmed');

    const split = await created(
      coordinator.post(`/lots/${lot.id}/units`, {
        units: Array.from({ length: 3 }, () => ({ productCode: 'T0001', description: 'Dehydrated amniotic membrane', size: '2 x 3 cm', form: 'sheet', expiresOn: dateDaysFromNow(365) })),
      }),
    );
    units = split.items;
    expect(units.map((u) => u.status)).toEqual(['released', 'released', 'released']);

    const shipment = await created(
      coordinator.post('/shipments', { fromFacilityId: ids.bank, toFacilityId: ids.clinic, unitCodes: [units[0]!.code, units[1]!.code], shippedAt: new Date().toISOString(), conditions: 'Ambient, insulated box' }),
    );
    ids.shipment = shipment.id;
    expectProblem(await otherClinician.post(`/shipments/${shipment.id}/receipt`, { receivedAt: new Date().toISOString(), conditionAcceptable: true, temperatureAcceptable: true }), 404, 'not_found');
    await created(clinician.post(`/shipments/${shipment.id}/receipt`, { receivedAt: new Date().toISOString(), conditionAcceptable: true, temperatureAcceptable: true }), 201);

    const patient = await created(clinician.post('/patients', { medicalRecordNumber: 'MRN-0042' }));
    ids.patient = patient.id;
    // Typed as printed on the label, with the check character and spaces.
    const administration = await created(
      clinician.post('/administrations', {
        unitCode: units[0]!.printedCode, patientId: patient.id, administeredAt: new Date().toISOString(), anatomicalSite: 'left plantar fascia', indication: 'plantar_fasciitis',
      }),
    );
    ids.administration = administration.id;
    expectProblem(
      await clinician.post('/administrations', { unitCode: units[0]!.code, patientId: patient.id, administeredAt: new Date().toISOString(), anatomicalSite: 'x', indication: 'tendinopathy' }),
      409,
      'invalid_state',
    );
    const reaction = await created(
      clinician.post(`/administrations/${administration.id}/adverse-reactions`, {
        onsetAt: new Date().toISOString(), description: 'Fever and erythema at the site', severity: 'moderate', suspectedCommunicableDisease: true,
      }),
    );
    expect(reaction.reportDueOn).toBe(dateDaysFromNow(15));
  });

  it('traces the dose back to its donor, consent, tests, processing, release and shipment', async () => {
    const trace = await created(auditor.get(`/units/${encodeURIComponent(units[0]!.printedCode)}/trace`), 200);
    expect(trace.donor.donorCode).toBe(ids.donorCode);
    expect(trace.lot.id).toBe(ids.lot);
    expect(trace.consents).toHaveLength(1);
    expect(new Set(trace.screeningTests.map((s: { testCode: string }) => s.testCode))).toEqual(new Set(await panelCodes(t)));
    expect(trace.eligibilityDeterminations[0]).toMatchObject({ outcome: 'eligible', supersededAt: null });
    expect(trace.processingSteps.map((s: { kind: string }) => s.kind)).toEqual(['rinse', 'terminal_sterilisation']);
    expect(trace.preservations).toHaveLength(1);
    expect(trace.releaseDecisions[0]).toMatchObject({ decision: 'released', decidedBy: 'Quinn Ahmed' });
    expect(trace.shipments[0]).toMatchObject({ id: ids.shipment, toFacilityId: ids.clinic, receipt: expect.objectContaining({ conditionAcceptable: true }) });
    expect(trace.administrations[0]).toMatchObject({ id: ids.administration, patientId: ids.patient });
    expect(trace.adverseReactions).toHaveLength(1);
  });

  it('traces the donor and the lot forward to every unit, its place and its patient', async () => {
    for (const url of [`/lots/${ids.lot}/trace`, `/donors/${ids.donor}/trace`]) {
      const trace = await created(auditor.get(url), 200);
      const lot = trace.lot ?? trace.lots[0];
      const byCode = Object.fromEntries(lot.units.map((u: { code: string }) => [u.code, u]));
      expect(byCode[units[0]!.code]).toMatchObject({ status: 'administered', administration: { patientId: ids.patient, medicalRecordNumber: 'MRN-0042', facilityId: ids.clinic } });
      expect(byCode[units[1]!.code]).toMatchObject({ status: 'distributed', place: { facilityId: ids.clinic }, administration: null });
      expect(byCode[units[2]!.code]).toMatchObject({ status: 'released', place: { facilityId: ids.bank }, administration: null });
    }
    const exposures = await created(auditor.get(`/patients/${ids.patient}/exposures`), 200);
    expect(exposures.exposures).toEqual([expect.objectContaining({ unit: expect.objectContaining({ code: units[0]!.code }), donor: { id: ids.donor, donorCode: ids.donorCode } })]);

    const reads = (await auditor.get('/audit-events?action=lot.trace_read')).json().items;
    expect(reads.at(-1)).toMatchObject({ actorName: 'Ari Auditor', entityId: ids.lot });
  });

  it('recalls the lot: holds what is in inventory, names the patient to notify, and the report stays true', async () => {
    const report = await created(quality.post('/recalls', { scope: 'lot', lotId: ids.lot, reason: 'Sterility failure reported by the processor', ...signed('responsibility') }));
    const heldCodes = report.held.flatMap((f: { units: { code: string }[] }) => f.units.map((u) => u.code)).sort();
    expect(heldCodes).toEqual([units[1]!.code, units[2]!.code].sort());
    expect(report.held.find((f: { facilityId: string }) => f.facilityId === ids.clinic).units).toHaveLength(1);
    expect(report.administered).toEqual([
      expect.objectContaining({ facilityId: ids.clinic, units: [expect.objectContaining({ code: units[0]!.code, patientId: ids.patient, medicalRecordNumber: 'MRN-0042' })] }),
    ]);
    expect(report.totals).toEqual({ held: 2, administered: 1, discarded: 0, other: 0 });

    // Nothing recalled can be administered; the clinic discards its held unit.
    const patient2 = await created(clinician.post('/patients', { medicalRecordNumber: 'MRN-0043' }));
    expectProblem(
      await clinician.post('/administrations', { unitCode: units[1]!.code, patientId: patient2.id, administeredAt: new Date().toISOString(), anatomicalSite: 'knee', indication: 'knee_osteoarthritis' }),
      409,
      'invalid_state',
    );
    await created(clinician.post(`/units/${units[1]!.code}/discard`, { reasonCode: 'recalled', occurredAt: new Date().toISOString() }), 201);

    const later = await created(auditor.get(`/recalls/${report.id}`), 200);
    expect(later).toEqual(report);

    const verification = (await auditor.get('/audit-events/verification')).json();
    expect(verification).toMatchObject({ intact: true, breaks: { count: 0 } });
  });
});
