import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import {
  completeDonorRecords,
  consentBody,
  createDonor,
  createEligibleDonor,
  determinationBody,
  panelCodes,
  reviewBody,
  screeningBody,
  writeCounts,
} from './support/donor-fixtures.ts';

const DAY_MS = 86_400_000;
const shift = (iso: string, days: number) => new Date(new Date(iso).getTime() + days * DAY_MS).toISOString();

describe.each(engines)('consent, screening and eligibility on %s', (engine) => {
  let t: TestApp;
  let panel: string[];
  beforeAll(async () => {
    t = await startTestApp(engine);
    panel = await panelCodes(t);
  });
  afterAll(async () => t?.close());

  const codesOf = (problem: { failedPrerequisites: Array<{ code: string; testCode?: string }> }) =>
    problem.failedPrerequisites.map((f) => (f.testCode ? `${f.code}:${f.testCode}` : f.code)).sort();

  it('shows the configured panel with test names and the 7-day window', async () => {
    const body = (await (await t.keyFor('quality')).get('/screening-panel')).json();
    expect(body.specimenWindowDays).toBe(7);
    expect(body.tests).toEqual(expect.arrayContaining([{ code: 'HIV_1_2_AB', name: 'HIV-1/2 antibody' }, { code: 'HBSAG', name: 'Hepatitis B surface antigen' }]));
  });

  it('determines a donor eligible on consent, an acceptable history review and negative in-window results, signed by the key holder', async () => {
    const coordinator = await t.keyFor('coordinator', { holderName: 'Dana Reyes' });
    const { donor } = await createEligibleDonor(t, { as: coordinator });
    expect(donor).toMatchObject({ eligibility: 'eligible', consentInForce: true });
    const [determination] = (await t.admin.get(`/donors/${donor.id}/history`)).json().determinations;
    expect(determination).toMatchObject({ outcome: 'eligible', determinedBy: 'Dana Reyes', current: true });
  });

  it('refuses "eligible" on a bare donor listing every unmet prerequisite, and writes nothing [REQ-ELIG-02]', async () => {
    const { donor } = await createDonor(t);
    const before = await writeCounts(t);
    const problem = expectProblem(await t.admin.post(`/donors/${donor.id}/eligibility-determinations`, determinationBody()), 409, 'prerequisites_unmet');
    expect(codesOf(problem)).toEqual(['consent_not_in_force', 'medical_history_review_missing', ...panel.map((c) => `screening_missing:${c}`)].sort());
    expect(await writeCounts(t)).toEqual(before);
  });

  it('refuses "eligible" when her only consent is research-only (consent not in force for clinical use), and writes nothing [REQ-CONSENT-01]', async () => {
    const registered = await createDonor(t);
    await completeDonorRecords(t, registered, t.admin, { scope: ['research'] });
    await t.admin.post(`/donors/${registered.donor.id}/consents`, consentBody({ scope: ['education', 'research'] }));
    expect((await t.admin.get(`/donors/${registered.donor.id}`)).json()).toMatchObject({ consentInForce: false, eligibility: 'pending' });
    const before = await writeCounts(t);
    const problem = expectProblem(await t.admin.post(`/donors/${registered.donor.id}/eligibility-determinations`, determinationBody()), 409, 'prerequisites_unmet');
    expect(codesOf(problem)).toEqual(['consent_not_in_force']);
    expect(problem.detail).toMatch(/clinical use/);
    expect(await writeCounts(t)).toEqual(before);
  });

  it('refuses "eligible" on reactive, indeterminate or out-of-window results and an unacceptable latest review, naming each', async () => {
    const { donor, recoveredAt } = await createDonor(t);
    const [first, second, third, ...rest] = panel as [string, string, string, ...string[]];
    const record = (code: string, at: string, overrides = {}) => t.admin.post(`/donors/${donor.id}/screening-tests`, screeningBody(code, at, overrides));
    await t.admin.post(`/donors/${donor.id}/consents`, consentBody());
    for (const code of rest) await record(code, recoveredAt);
    await record(first, recoveredAt);
    await record(first, recoveredAt, { result: 'reactive', interpretation: 'Repeatedly reactive' });
    await record(second, recoveredAt, { result: 'indeterminate', interpretation: 'Equivocal' });
    await record(third, shift(recoveredAt, -8)); // collected 8 days before recovery
    await t.admin.post(`/donors/${donor.id}/medical-history-reviews`, reviewBody({ reviewedAt: shift(recoveredAt, -1) }));
    await t.admin.post(`/donors/${donor.id}/medical-history-reviews`, reviewBody({ outcome: 'unacceptable', reviewedAt: new Date().toISOString() }));

    const before = await writeCounts(t);
    const problem = expectProblem(await t.admin.post(`/donors/${donor.id}/eligibility-determinations`, determinationBody()), 409, 'prerequisites_unmet');
    expect(codesOf(problem)).toEqual(
      ['medical_history_unacceptable', `screening_reactive:${first}`, `screening_indeterminate:${second}`, `screening_outside_window:${third}`].sort(),
    );
    expect(await writeCounts(t)).toEqual(before);
  });

  it('always accepts "ineligible" with its basis, and a new determination supersedes the one before', async () => {
    const { donor } = await createEligibleDonor(t);
    const res = await t.admin.post(`/donors/${donor.id}/eligibility-determinations`, determinationBody('ineligible', { basis: 'Travel history' }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ outcome: 'ineligible', current: true, basis: 'Travel history' });
    expect((await t.admin.get(`/donors/${donor.id}`)).json()).toMatchObject({ eligibility: 'ineligible', currentDeterminationId: res.json().id });
    const determinations = (await t.admin.get(`/donors/${donor.id}/history`)).json().determinations;
    expect(determinations.map((d: { outcome: string; current: boolean }) => [d.outcome, d.current])).toEqual([
      ['eligible', false],
      ['ineligible', true],
    ]);
    expect(determinations[0].supersededReason).toMatch(new RegExp(res.json().id));
  });

  it('measures the window around every lot of the donor once she has lots [REQ-ELIG-03]', async () => {
    const registered = await createDonor(t);
    const { donor, recoveredAt } = registered;
    await completeDonorRecords(t, registered);
    const bank = (await t.admin.post('/facilities', { kind: 'tissue_bank', name: 'Bank W', isbtFacilityId: 'W0001' })).json();
    await t.database.prisma.lot.create({
      data: {
        din: 'W000126000001',
        checkCharacter: 'A',
        donorId: donor.id,
        tissueType: 'amniotic_membrane',
        bankFacilityId: bank.id,
        recoveryFacilityId: donor.deliveryFacilityId,
        recoveredAt: new Date(shift(recoveredAt, -30)),
        recoveredBy: 'R. Tech',
      },
    });
    const problem = expectProblem(await t.admin.post(`/donors/${donor.id}/eligibility-determinations`, determinationBody()), 409, 'prerequisites_unmet');
    expect(codesOf(problem)).toEqual(panel.map((c) => `screening_outside_window:${c}`).sort());
  });

  it('refuses a test outside the panel (listing it), a malformed CLIA number, and a specimen in the future, writing nothing', async () => {
    const { donor, recoveredAt } = await createDonor(t);
    const before = await writeCounts(t);
    const outside = expectProblem(await t.admin.post(`/donors/${donor.id}/screening-tests`, screeningBody('ZIKA_NAT', recoveredAt)), 422, 'rule_violation');
    expect(outside.panel).toEqual(panel);
    expect(outside.detail).toMatch(/HIV_1_2_AB/);
    const clia = expectProblem(await t.admin.post(`/donors/${donor.id}/screening-tests`, screeningBody(panel[0]!, recoveredAt, { laboratoryId: '12345' })), 400, 'validation_failed');
    expect(clia.errors[0].field).toBe('body.laboratoryId');
    expectProblem(await t.admin.post(`/donors/${donor.id}/screening-tests`, screeningBody(panel[0]!, recoveredAt, { result: 'positive' })), 400, 'validation_failed');
    const future = new Date(Date.now() + DAY_MS).toISOString();
    expectProblem(await t.admin.post(`/donors/${donor.id}/screening-tests`, screeningBody(panel[0]!, future)), 422, 'rule_violation');
    expectProblem(await t.admin.post('/donors/6f1c1f5e-8a77-4d7e-9e51-3f8e0f0b1a11/screening-tests', screeningBody(panel[0]!, recoveredAt)), 404, 'not_found');
    expect(await writeCounts(t)).toEqual(before);
  });

  it('lets a later reactive result supersede an eligible determination, with its own audit event [REQ-ELIG-04]', async () => {
    const { donor, recoveredAt } = await createEligibleDonor(t);
    const res = await t.admin.post(`/donors/${donor.id}/screening-tests`, screeningBody(panel[0]!, recoveredAt, { result: 'reactive', interpretation: 'Reactive on retest' }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().supersededDeterminationId).toBe(donor.currentDeterminationId);
    expect((await t.admin.get(`/donors/${donor.id}`)).json()).toMatchObject({ eligibility: 'pending', currentDeterminationId: null });
    const [event] = (await t.admin.get(`/audit-events?action=eligibility_determination.superseded&entityId=${donor.currentDeterminationId}`)).json().items;
    expect(event.reason).toMatch(new RegExp(`reactive ${panel[0]}`));
  });

  it('refuses consent, review or determination dated in the future, or with a bad body, writing nothing', async () => {
    const { donor } = await createDonor(t);
    const future = new Date(Date.now() + DAY_MS).toISOString();
    const before = await writeCounts(t);
    expectProblem(await t.admin.post(`/donors/${donor.id}/consents`, consentBody({ obtainedAt: future })), 422, 'rule_violation');
    expectProblem(await t.admin.post(`/donors/${donor.id}/consents`, consentBody({ scope: [] })), 400, 'validation_failed');
    expectProblem(await t.admin.post(`/donors/${donor.id}/medical-history-reviews`, reviewBody({ reviewedAt: future })), 422, 'rule_violation');
    expectProblem(await t.admin.post(`/donors/${donor.id}/eligibility-determinations`, determinationBody('ineligible', { determinedAt: future })), 422, 'rule_violation');
    expectProblem(await t.admin.post(`/donors/${donor.id}/eligibility-determinations`, determinationBody('ineligible', { basis: '' })), 400, 'validation_failed');
    expect(await writeCounts(t)).toEqual(before);
  });

  it('never leaves a current eligible determination beside a reactive in-window result sent at the same moment', async () => {
    for (let round = 0; round < 3; round++) {
      const registered = await createDonor(t);
      const { donor, recoveredAt } = registered;
      await completeDonorRecords(t, registered);
      const [determination, result] = await Promise.all([
        t.admin.post(`/donors/${donor.id}/eligibility-determinations`, determinationBody()),
        t.admin.post(`/donors/${donor.id}/screening-tests`, screeningBody(panel[1]!, recoveredAt, { result: 'reactive', interpretation: 'Reactive' })),
      ]);
      expect(result.statusCode, result.body).toBe(201);
      if (determination.statusCode === 201) {
        const row = await t.database.prisma.eligibilityDetermination.findUniqueOrThrow({ where: { id: determination.json().id } });
        expect(row.supersededAt).not.toBeNull();
      } else {
        expectProblem(determination, 409, 'prerequisites_unmet');
      }
      const current = await t.database.prisma.eligibilityDetermination.count({ where: { donorId: donor.id, supersededAt: null, outcome: 'eligible' } });
      expect(current).toBe(0);
    }
  });
});

describe.each(engines)('consent withdrawal on %s', (engine) => {
  let t: TestApp;
  let bank: { id: string };
  let dinSequence = 0;
  beforeAll(async () => {
    t = await startTestApp(engine);
    bank = (await t.admin.post('/facilities', { kind: 'tissue_bank', name: 'Bank', isbtFacilityId: 'W1234' })).json();
  });
  afterAll(async () => t?.close());

  /** Lots are another capability's endpoints: these tests insert them directly. */
  async function insertLot(donor: { id: string; deliveryFacilityId: string }, recoveredAt: string, status: 'quarantine' | 'released' | 'distributed' | 'rejected') {
    dinSequence++;
    const din = `W123426${String(dinSequence).padStart(6, '0')}`;
    return t.database.prisma.lot.create({
      data: {
        din,
        checkCharacter: 'K',
        donorId: donor.id,
        tissueType: 'amniotic_membrane',
        bankFacilityId: bank.id,
        recoveryFacilityId: donor.deliveryFacilityId,
        recoveredAt: new Date(recoveredAt),
        recoveredBy: 'R. Tech',
        status,
        units: {
          create: [
            { code: `${din}T0001A00`, productCode: 'T0001', division: 'A00', description: 'Amnion 2x2 cm', form: 'dehydrated', expiresOn: new Date('2031-01-01'), status },
          ],
        },
      },
      include: { units: true },
    });
  }

  it('records the withdrawal as a new fact, holds unreleased lots and their quarantined units, flags released ones, supersedes eligibility [REQ-CONSENT-02]', async () => {
    const { donor, consent, recoveredAt } = await createEligibleDonor(t);
    const quarantined = await insertLot(donor, recoveredAt, 'quarantine');
    const released = await insertLot(donor, recoveredAt, 'released');
    const distributed = await insertLot(donor, recoveredAt, 'distributed');
    const rejected = await insertLot(donor, recoveredAt, 'rejected');

    const res = await t.admin.post(`/donors/${donor.id}/consents/${consent.id}/withdrawal`, { withdrawnAt: new Date().toISOString(), reason: 'Donor request by phone' });
    expect(res.statusCode, res.body).toBe(201);
    const outcome = res.json();
    expect(outcome).toMatchObject({
      consentStillInForce: false,
      supersededDeterminationId: donor.currentDeterminationId,
      lotsPutOnHold: [quarantined.id],
      unitsPutOnHold: [quarantined.units[0]!.id],
      lotsFlaggedForReview: [released.id, distributed.id],
    });
    expect(outcome.consent.withdrawal).toMatchObject({ reason: 'Donor request by phone' });

    const { prisma } = t.database;
    expect(await prisma.consent.findUniqueOrThrow({ where: { id: consent.id } })).toMatchObject({ formVersion: consent.formVersion });
    expect((await prisma.lot.findUniqueOrThrow({ where: { id: quarantined.id } })).status).toBe('on_hold');
    expect((await prisma.unit.findUniqueOrThrow({ where: { id: quarantined.units[0]!.id } })).status).toBe('on_hold');
    for (const lot of [released, distributed]) {
      const row = await prisma.lot.findUniqueOrThrow({ where: { id: lot.id } });
      expect(row.status).toBe(lot.status);
      expect(row.reviewFlaggedAt).not.toBeNull();
      expect(row.reviewFlagReason).toMatch(/consent withdrawn/);
    }
    expect(await prisma.lot.findUniqueOrThrow({ where: { id: rejected.id } })).toMatchObject({ status: 'rejected', reviewFlaggedAt: null });
    expect((await t.admin.get(`/donors/${donor.id}`)).json()).toMatchObject({ eligibility: 'pending', consentInForce: false });

    const actions = async (entityId: string) => (await t.admin.get(`/audit-events?entityId=${entityId}`)).json().items.map((e: { action: string }) => e.action);
    expect(await actions(quarantined.id)).toEqual(['lot.put_on_hold']);
    expect(await actions(quarantined.units[0]!.id)).toEqual(['unit.put_on_hold']);
    expect(await actions(released.id)).toEqual(['lot.flagged_for_review']);
    expect(await actions(distributed.id)).toEqual(['lot.flagged_for_review']);
  });

  it('refuses a second withdrawal of the same consent (409) and writes nothing', async () => {
    const { donor, consent } = await createEligibleDonor(t);
    const body = { withdrawnAt: new Date().toISOString(), reason: 'Withdrawn' };
    expect((await t.admin.post(`/donors/${donor.id}/consents/${consent.id}/withdrawal`, body)).statusCode).toBe(201);
    const before = await writeCounts(t);
    expect(expectProblem(await t.admin.post(`/donors/${donor.id}/consents/${consent.id}/withdrawal`, body), 409, 'invalid_state').currentStatus).toBe('withdrawn');
    expect(await writeCounts(t)).toEqual(before);
  });

  it('refuses a withdrawal dated in the future or before the consent, or of an unknown consent, and writes nothing', async () => {
    const { donor, consent, recoveredAt } = await createEligibleDonor(t);
    await insertLot(donor, recoveredAt, 'quarantine');
    const before = await writeCounts(t);
    const url = `/donors/${donor.id}/consents/${consent.id}/withdrawal`;
    expectProblem(await t.admin.post(url, { withdrawnAt: new Date(Date.now() + DAY_MS).toISOString(), reason: 'x' }), 422, 'rule_violation');
    expectProblem(await t.admin.post(url, { withdrawnAt: '2001-01-01T00:00:00Z', reason: 'x' }), 422, 'rule_violation');
    expectProblem(await t.admin.post(url, { withdrawnAt: new Date().toISOString() }), 400, 'validation_failed');
    const { donor: other } = await createDonor(t);
    const afterOther = await writeCounts(t);
    expectProblem(await t.admin.post(`/donors/${other.id}/consents/${consent.id}/withdrawal`, { withdrawnAt: new Date().toISOString(), reason: 'x' }), 404, 'not_found');
    expect(await writeCounts(t)).toEqual(afterOther);
    expect({ ...afterOther, donors: before.donors, auditEvents: before.auditEvents }).toEqual(before);
  });

  it('holds nothing while another consent of the donor stays in force, and refuses "eligible" once none is', async () => {
    const { donor, consent, recoveredAt } = await createEligibleDonor(t);
    const lot = await insertLot(donor, recoveredAt, 'quarantine');
    const renewed = (await t.admin.post(`/donors/${donor.id}/consents`, consentBody({ formVersion: 'PTB-CF-3.2' }))).json();
    const first = (await t.admin.post(`/donors/${donor.id}/consents/${consent.id}/withdrawal`, { withdrawnAt: new Date().toISOString(), reason: 'Replaced by 3.2' })).json();
    expect(first).toMatchObject({ consentStillInForce: true, supersededDeterminationId: null, lotsPutOnHold: [], unitsPutOnHold: [], lotsFlaggedForReview: [] });
    expect((await t.admin.get(`/donors/${donor.id}`)).json()).toMatchObject({ eligibility: 'eligible', consentInForce: true });
    expect((await t.database.prisma.lot.findUniqueOrThrow({ where: { id: lot.id } })).status).toBe('quarantine');

    await t.admin.post(`/donors/${donor.id}/consents/${renewed.id}/withdrawal`, { withdrawnAt: new Date().toISOString(), reason: 'Withdrawn' });
    const problem = expectProblem(await t.admin.post(`/donors/${donor.id}/eligibility-determinations`, determinationBody()), 409, 'prerequisites_unmet');
    expect(codesOf(problem)).toEqual(['consent_not_in_force']);
  });

  it('holds her lots when the only clinical-use consent is withdrawn, even though a research-only consent remains', async () => {
    const { donor, consent, recoveredAt } = await createEligibleDonor(t);
    const research = (await t.admin.post(`/donors/${donor.id}/consents`, consentBody({ scope: ['research'] }))).json();
    const quarantined = await insertLot(donor, recoveredAt, 'quarantine');
    const released = await insertLot(donor, recoveredAt, 'released');

    const res = await t.admin.post(`/donors/${donor.id}/consents/${consent.id}/withdrawal`, { withdrawnAt: new Date().toISOString(), reason: 'No clinical use' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      consentStillInForce: false,
      supersededDeterminationId: donor.currentDeterminationId,
      lotsPutOnHold: [quarantined.id],
      unitsPutOnHold: [quarantined.units[0]!.id],
      lotsFlaggedForReview: [released.id],
    });
    const { prisma } = t.database;
    expect((await prisma.lot.findUniqueOrThrow({ where: { id: quarantined.id } })).status).toBe('on_hold');
    expect((await prisma.unit.findUniqueOrThrow({ where: { id: quarantined.units[0]!.id } })).status).toBe('on_hold');
    expect((await prisma.lot.findUniqueOrThrow({ where: { id: released.id } })).reviewFlaggedAt).not.toBeNull();
    expect(await prisma.consentWithdrawal.count({ where: { consentId: research.id } })).toBe(0);
    expect((await t.admin.get(`/donors/${donor.id}`)).json()).toMatchObject({ eligibility: 'pending', consentInForce: false });
  });

  const codesOf = (problem: { failedPrerequisites: Array<{ code: string }> }) => problem.failedPrerequisites.map((f) => f.code);
});
