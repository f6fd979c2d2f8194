import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { createDonor, createEligibleDonor, daysAgo, determinationBody, uniqueDonorCode, writeCounts } from './support/donor-fixtures.ts';

describe.each(engines)('donor registration, corrections and history on %s', (engine) => {
  let t: TestApp;
  let hospitalId: string;
  const body = (overrides: Record<string, unknown> = {}) => ({
    donorCode: uniqueDonorCode(),
    deliveryFacilityId: hospitalId,
    deliveryDate: daysAgo(2),
    gestationalAgeWeeks: 38,
    deliveryMode: 'scheduled_caesarean',
    ...overrides,
  });

  beforeAll(async () => {
    t = await startTestApp(engine);
    hospitalId = (await t.admin.post('/facilities', { kind: 'hospital', name: 'St. Mary Maternity' })).json().id;
  });
  afterAll(async () => t?.close());

  it('registers a donor after a full-term scheduled Caesarean, pending eligibility, with an audit event', async () => {
    const coordinator = await t.keyFor('coordinator');
    const res = await coordinator.post('/donors', body({ donorCode: 'PTB-2026-0001' }));
    expect(res.statusCode, res.body).toBe(201);
    const donor = res.json();
    expect(donor).toMatchObject({ donorCode: 'PTB-2026-0001', eligibility: 'pending', consentInForce: false, currentDeterminationId: null });
    expect((await coordinator.get(`/donors/${donor.id}`)).json()).toEqual(donor);
    const events = (await t.admin.get(`/audit-events?entityType=donor&entityId=${donor.id}`)).json().items;
    expect(events.map((e: { action: string }) => e.action)).toEqual(['donor.registered']);
  });

  it.each([
    ['an emergency Caesarean', { deliveryMode: 'emergency_caesarean' }, /scheduled_caesarean/],
    ['a vaginal delivery', { deliveryMode: 'vaginal' }, /vaginal/],
    ['a preterm delivery (36 weeks)', { gestationalAgeWeeks: 36 }, /36 weeks.*37/],
  ])('refuses %s with a 422 that says why, and writes nothing', async (_name, overrides, why) => {
    const before = await writeCounts(t);
    const problem = expectProblem(await t.admin.post('/donors', body(overrides)), 422, 'rule_violation');
    expect(problem.detail).toMatch(/full-term.*scheduled Caesarean/);
    expect(problem.detail).toMatch(why);
    expect(await writeCounts(t)).toEqual(before);
  });

  it('refuses a gestational age outside 20..45 weeks, a malformed donor code or unknown fields as 400, and writes nothing', async () => {
    const before = await writeCounts(t);
    const problem = expectProblem(await t.admin.post('/donors', body({ gestationalAgeWeeks: 12, donorCode: 'jane doe' })), 400, 'validation_failed');
    expect(problem.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.donorCode', 'body.gestationalAgeWeeks']);
    expectProblem(await t.admin.post('/donors', body({ deliveryMode: 'fetal_tissue' })), 400, 'validation_failed');
    expect(await writeCounts(t)).toEqual(before);
  });

  it('refuses an unknown delivery facility (404) and a delivery date in the future (422), writing nothing', async () => {
    const before = await writeCounts(t);
    expectProblem(await t.admin.post('/donors', body({ deliveryFacilityId: '6f1c1f5e-8a77-4d7e-9e51-3f8e0f0b1a11' })), 404, 'not_found');
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    expect(expectProblem(await t.admin.post('/donors', body({ deliveryDate: tomorrow })), 422, 'rule_violation').detail).toMatch(/future/);
    expect(await writeCounts(t)).toEqual(before);
  });

  it('refuses a second donor with the same donor code (409), writing nothing', async () => {
    await t.admin.post('/donors', body({ donorCode: 'PTB-DUP-1' }));
    const before = await writeCounts(t);
    expectProblem(await t.admin.post('/donors', body({ donorCode: 'PTB-DUP-1' })), 409, 'conflict');
    expect(await writeCounts(t)).toEqual(before);
  });

  it('lets 10 simultaneous registrations of one donor code produce exactly one donor', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => t.admin.post('/donors', body({ donorCode: 'PTB-RACE-1' }))));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    for (const r of results.filter((r) => r.statusCode !== 201)) expectProblem(r, 409, 'conflict');
    expect(await t.database.prisma.donor.count({ where: { donorCode: 'PTB-RACE-1' } })).toBe(1);
  });

  it('lets coordinators, quality, auditors and admins read donors, and keeps clinicians and auditors from writing', async () => {
    const { donor } = await createDonor(t);
    for (const role of ['coordinator', 'quality', 'auditor'] as const) {
      expect((await (await t.keyFor(role)).get(`/donors/${donor.id}`)).statusCode).toBe(200);
    }
    const clinician = await t.keyFor('clinician', { facilityId: hospitalId });
    expectProblem(await clinician.get(`/donors/${donor.id}`), 403, 'forbidden');
    expectProblem(await clinician.get('/screening-panel'), 403, 'forbidden');
    const auditor = await t.keyFor('auditor');
    const quality = await t.keyFor('quality');
    const before = await writeCounts(t);
    expectProblem(await auditor.post('/donors', body()), 403, 'forbidden');
    expectProblem(await quality.post(`/donors/${donor.id}/eligibility-determinations`, determinationBody('ineligible')), 403, 'forbidden');
    expect(await writeCounts(t)).toEqual(before);
  });

  it('lists donors by code, delivery facility, delivery dates and eligibility, a page at a time', async () => {
    const otherHospital = (await t.admin.post('/facilities', { kind: 'hospital', name: 'Other' })).json().id;
    const eligible = await createEligibleDonor(t, { deliveryFacilityId: otherHospital, deliveryDate: daysAgo(5) });
    const pending = await createDonor(t, { deliveryFacilityId: otherHospital, deliveryDate: daysAgo(4) });
    const ineligible = await createDonor(t, { deliveryFacilityId: otherHospital, deliveryDate: daysAgo(20) });
    await t.admin.post(`/donors/${ineligible.donor.id}/eligibility-determinations`, determinationBody('ineligible'));

    const ids = async (query: string) => (await t.admin.get(`/donors?${query}`)).json().items.map((d: { id: string }) => d.id);
    expect(await ids(`deliveryFacilityId=${otherHospital}`)).toEqual([eligible.donor.id, pending.donor.id, ineligible.donor.id]);
    expect(await ids(`deliveryFacilityId=${otherHospital}&eligibility=eligible`)).toEqual([eligible.donor.id]);
    expect(await ids(`deliveryFacilityId=${otherHospital}&eligibility=pending`)).toEqual([pending.donor.id]);
    expect(await ids(`deliveryFacilityId=${otherHospital}&eligibility=ineligible`)).toEqual([ineligible.donor.id]);
    expect(await ids(`donorCode=${pending.donor.donorCode}`)).toEqual([pending.donor.id]);
    expect(await ids(`deliveryFacilityId=${otherHospital}&deliveredFrom=${daysAgo(6)}&deliveredTo=${daysAgo(4)}`)).toEqual([
      eligible.donor.id,
      pending.donor.id,
    ]);

    const first = (await t.admin.get(`/donors?deliveryFacilityId=${otherHospital}&limit=2`)).json();
    const second = (await t.admin.get(`/donors?deliveryFacilityId=${otherHospital}&limit=2&cursor=${first.nextCursor}`)).json();
    expect([...first.items, ...second.items].map((d: { id: string }) => d.id)).toEqual([eligible.donor.id, pending.donor.id, ineligible.donor.id]);
    expect(second.nextCursor).toBeNull();
  });

  it('corrects a field with a reason: the donor shows the new value, the correction and the audit event keep the old one [REQ-REC-01]', async () => {
    const { donor } = await createDonor(t, { gestationalAgeWeeks: 38 });
    const res = await t.admin.post(`/donors/${donor.id}/corrections`, {
      field: 'gestationalAgeWeeks',
      value: 39,
      reasonCode: 'transcription_error',
      reasonText: 'Typed 38 for 39 from the delivery record',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().correction).toMatchObject({ field: 'gestationalAgeWeeks', oldValue: 38, newValue: 39, reasonCode: 'transcription_error' });
    expect((await t.admin.get(`/donors/${donor.id}`)).json().gestationalAgeWeeks).toBe(39);
    const [event] = (await t.admin.get(`/audit-events?action=donor.corrected&entityId=${donor.id}`)).json().items;
    expect(event).toMatchObject({
      before: expect.objectContaining({ gestationalAgeWeeks: 38 }),
      after: expect.objectContaining({ gestationalAgeWeeks: 39 }),
      reason: 'transcription_error: Typed 38 for 39 from the delivery record',
    });

    const date = await t.admin.post(`/donors/${donor.id}/corrections`, { field: 'deliveryDate', value: daysAgo(4), reasonCode: 'wrong_record', reasonText: 'Date of the wrong chart' });
    expect(date.statusCode, date.body).toBe(201);
    expect((await t.admin.get(`/donors/${donor.id}`)).json().deliveryDate).toBe(daysAgo(4));
  });

  it('supersedes an eligible determination when a corrected delivery date leaves her results outside the window', async () => {
    const { donor } = await createEligibleDonor(t, { deliveryDate: daysAgo(3) });
    const near = await t.admin.post(`/donors/${donor.id}/corrections`, { field: 'deliveryDate', value: daysAgo(4), reasonCode: 'transcription_error', reasonText: 'Off by one' });
    expect(near.json()).toMatchObject({ supersededDeterminationId: null, donor: { eligibility: 'eligible' } });
    // Too far: her specimens could belong to no recovery of that delivery (chronology).
    const tooFar = expectProblem(
      await t.admin.post(`/donors/${donor.id}/corrections`, { field: 'deliveryDate', value: daysAgo(20), reasonCode: 'wrong_record', reasonText: 'Date of the wrong chart' }),
      422,
      'rule_violation',
    );
    expect(tooFar.detail).toMatch(/specimen collection/);
    const far = await t.admin.post(`/donors/${donor.id}/corrections`, { field: 'deliveryDate', value: daysAgo(11), reasonCode: 'wrong_record', reasonText: 'Date of the wrong chart' });
    expect(far.statusCode, far.body).toBe(201);
    expect(far.json()).toMatchObject({ supersededDeterminationId: donor.currentDeterminationId, donor: { eligibility: 'pending' } });
    const [determination] = (await t.admin.get(`/donors/${donor.id}/history`)).json().determinations;
    expect(determination.supersededReason).toMatch(/outside_window/);
  });

  it('refuses a correction that would make the donor unacceptable, pointing at an ineligible determination, and writes nothing', async () => {
    const { donor } = await createDonor(t);
    const before = await writeCounts(t);
    const correction = { field: 'deliveryMode', value: 'emergency_caesarean', reasonCode: 'late_information', reasonText: 'Was an emergency' };
    const problem = expectProblem(await t.admin.post(`/donors/${donor.id}/corrections`, correction), 422, 'rule_violation');
    expect(problem.detail).toMatch(/ineligible determination/);
    expect(await writeCounts(t)).toEqual(before);
    expect((await t.admin.get(`/donors/${donor.id}`)).json().deliveryMode).toBe('scheduled_caesarean');
  });

  it('refuses a malformed, unchanged or clashing correction, or one without a reason, and writes nothing', async () => {
    const { donor } = await createDonor(t);
    const { donor: other } = await createDonor(t);
    const before = await writeCounts(t);
    const base = { reasonCode: 'other', reasonText: 'checking' };
    expectProblem(await t.admin.post(`/donors/${donor.id}/corrections`, { ...base, field: 'gestationalAgeWeeks', value: 'forty' }), 400, 'validation_failed');
    expectProblem(await t.admin.post(`/donors/${donor.id}/corrections`, { field: 'deliveryMode', value: 'scheduled_caesarean', reasonCode: 'other' }), 400, 'validation_failed');
    expectProblem(await t.admin.post(`/donors/${donor.id}/corrections`, { ...base, field: 'name', value: 'Jane' }), 400, 'validation_failed');
    expectProblem(await t.admin.post(`/donors/${donor.id}/corrections`, { ...base, field: 'deliveryMode', value: 'scheduled_caesarean' }), 422, 'rule_violation');
    expectProblem(await t.admin.post(`/donors/${donor.id}/corrections`, { ...base, field: 'donorCode', value: other.donorCode }), 409, 'conflict');
    expect(await writeCounts(t)).toEqual(before);
  });

  it('gives auditors the whole history in one call: records, superseded decisions, corrections and their audit events in order', async () => {
    const { donor, consent } = await createEligibleDonor(t);
    await t.admin.post(`/donors/${donor.id}/corrections`, { field: 'gestationalAgeWeeks', value: 40, reasonCode: 'late_information', reasonText: 'Dating scan' });
    await t.admin.post(`/donors/${donor.id}/consents/${consent.id}/withdrawal`, { withdrawnAt: new Date().toISOString(), reason: 'Changed her mind' });

    const auditor = await t.keyFor('auditor');
    const res = await auditor.get(`/donors/${donor.id}/history`);
    expect(res.statusCode, res.body).toBe(200);
    const history = res.json();
    expect(history.donor).toMatchObject({ id: donor.id, gestationalAgeWeeks: 40, eligibility: 'pending', consentInForce: false });
    expect(history.consents).toHaveLength(1);
    expect(history.consents[0].withdrawal).toMatchObject({ reason: 'Changed her mind' });
    expect(history.screeningTests.length).toBeGreaterThanOrEqual(8);
    expect(history.medicalHistoryReviews).toHaveLength(1);
    expect(history.determinations).toEqual([expect.objectContaining({ outcome: 'eligible', current: false, supersededReason: expect.stringMatching(/consent withdrawn/) })]);
    expect(history.corrections).toEqual([expect.objectContaining({ field: 'gestationalAgeWeeks', oldValue: 39, newValue: 40 })]);
    const actions = history.auditEvents.map((e: { action: string }) => e.action);
    expect(actions[0]).toBe('donor.registered');
    expect(actions).toEqual(
      expect.arrayContaining([
        'consent.recorded',
        'screening_test.recorded',
        'medical_history_review.recorded',
        'eligibility_determination.recorded',
        'correction.recorded',
        'donor.corrected',
        'consent.withdrawn',
        'eligibility_determination.superseded',
      ]),
    );
    const seqs = history.auditEvents.map((e: { seq: string }) => BigInt(e.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expectProblem(await auditor.get('/donors/6f1c1f5e-8a77-4d7e-9e51-3f8e0f0b1a11/history'), 404, 'not_found');
  });
});
