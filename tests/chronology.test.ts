// A record cannot state an impossible history: every dated step comes after the steps it
// depends on, none lies in the future, corrections keep the order, and a refusal is 422
// naming the field and both instants (src/domain/shared/chronology.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertNotBefore, assertNotFuture, assertRecoveryAfterDelivery, calendarDay, instant } from '../src/domain/shared/chronology.ts';
import { DomainError } from '../src/domain/shared/errors.ts';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { createEligibleDonor, daysAgo } from './support/donor-fixtures.ts';
import { dateOnly, daysFromNow, ok, readyLot, refusedWithoutWrites, rinseStep, seedEligibleDonor, setupBank, splitUnits, type Bank } from './support/lot-fixtures.ts';
import { signed } from './support/signing.ts';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const ago = (hours: number) => iso(Date.now() - hours * HOUR);

function refusedBy(fn: () => void): DomainError {
  try {
    fn();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('not refused');
}

describe('the chronology rules', () => {
  it('compare a calendar date with an instant in every time zone, refusing only the impossible', () => {
    const delivery = new Date('2026-11-20T00:00:00Z');
    // 2026-11-19T11:00Z is already 2026-11-20 in UTC+14: possible.
    expect(() => assertRecoveryAfterDelivery('recoveredAt', new Date('2026-11-19T11:00:00Z'), delivery, 24)).not.toThrow();
    expect(refusedBy(() => assertRecoveryAfterDelivery('recoveredAt', new Date('2026-11-19T09:00:00Z'), delivery, 24)).extensions).toMatchObject({
      errors: [{ field: 'body.recoveredAt' }],
      recoveredAt: '2026-11-19T09:00:00.000Z',
      conflictsWith: { fact: 'the delivery date', at: '2026-11-20' },
    });
    // The end of 2026-11-20 in UTC−12 is 2026-11-21T12:00Z; plus 24 h.
    expect(() => assertRecoveryAfterDelivery('recoveredAt', new Date('2026-11-22T12:00:00Z'), delivery, 24)).not.toThrow();
    expect(() => assertRecoveryAfterDelivery('recoveredAt', new Date('2026-11-22T12:00:01Z'), delivery, 24)).toThrow(/RECOVERY_LIMIT_HOURS/);
  });

  it('name both instants in the refusal, and allow a few minutes of clock skew', () => {
    const error = refusedBy(() => assertNotBefore('receivedAt', instant('the receipt', new Date('2026-01-01T00:00:00Z')), instant('the shipment', new Date('2026-01-02T00:00:00Z'))));
    expect(error.code).toBe('rule_violation');
    expect(error.message).toBe('The receipt (2026-01-01T00:00:00.000Z) cannot come before the shipment (2026-01-02T00:00:00.000Z).');
    const now = new Date('2026-06-01T12:00:00Z');
    expect(() => assertNotFuture('at', instant('x', new Date('2026-06-01T12:04:00Z')), now)).not.toThrow();
    expect(() => assertNotFuture('at', instant('x', new Date('2026-06-01T12:06:00Z')), now)).toThrow(/in the future/);
    // Tomorrow's date is not yet today anywhere once it is 10:00 UTC… but the day after always is future.
    expect(() => assertNotFuture('d', calendarDay('the delivery date', new Date('2026-06-03T00:00:00Z')), now)).toThrow(/in the future/);
  });
});

describe.each(engines)('chronology across the chain on %s', (engine) => {
  let t: TestApp;
  let bank: Bank;
  beforeAll(async () => {
    t = await startTestApp(engine);
    bank = await setupBank(t);
  });
  afterAll(async () => t?.close());

  const lotBody = (donorId: string, recoveredAt: string) => ({
    donorId, tissueType: 'amnion', bankFacilityId: bank.bankId, recoveryFacilityId: bank.hospitalId, recoveredAt, recoveredBy: 'Tech',
  });

  it('recovers a lot only after the delivery, within RECOVERY_LIMIT_HOURS, under a consent obtained before, and not in the future', async () => {
    const { donor } = await createEligibleDonor(t, { deliveryDate: daysAgo(5) });
    const deliveryDay = Date.parse(`${donor.deliveryDate}T00:00:00Z`);
    const cases: [string, RegExp][] = [
      [iso(deliveryDay - 20 * HOUR), /delivery date/],
      [iso(deliveryDay + 61 * HOUR), /RECOVERY_LIMIT_HOURS/],
      [iso(Date.now() + 24 * HOUR), /in the future/],
    ];
    for (const [recoveredAt, why] of cases) {
      const problem = expectProblem(await refusedWithoutWrites(t, () => bank.coordinator.post('/lots', lotBody(donor.id, recoveredAt))), 422, 'rule_violation');
      expect(problem.detail).toMatch(why);
      expect(problem.errors[0].field).toBe('body.recoveredAt');
    }
    // Her consent was obtained at 06:00 on the delivery date: a recovery at 02:00 came before it.
    const beforeConsent = expectProblem(
      await refusedWithoutWrites(t, () => bank.coordinator.post('/lots', lotBody(donor.id, `${donor.deliveryDate}T02:00:00.000Z`))),
      422,
      'rule_violation',
    );
    expect(beforeConsent.conflictsWith.fact).toMatch(/consent/);
    await ok(bank.coordinator.post('/lots', lotBody(donor.id, `${donor.deliveryDate}T10:00:00.000Z`)), 201);
  });

  it('keeps one DIN sequence per two-digit year and refuses a recovery more than a century back', async () => {
    const year = new Date().getUTCFullYear();
    const old = await seedEligibleDonor(t, { deliveryFacilityId: bank.hospitalId, recoveredAt: new Date(Date.UTC(year - 100, 5, 1, 10)) });
    const res = expectProblem(await refusedWithoutWrites(t, () => bank.coordinator.post('/lots', lotBody(old.id, iso(Date.UTC(year - 100, 5, 1, 12))))), 422, 'rule_violation');
    expect(res.detail).toMatch(/two-digit year/);
    // A recovery 99 years back names the same two digits as next year: it continues that two-digit year's sequence.
    const yy = (year - 99) % 100;
    const fin = (await t.database.prisma.facility.findUniqueOrThrow({ where: { id: bank.bankId } })).isbtFacilityId!;
    await t.database.prisma.dinSequence.create({ data: { facilityIdentifier: fin, twoDigitYear: yy, lastSequence: 41 } });
    const century = await seedEligibleDonor(t, { deliveryFacilityId: bank.hospitalId, recoveredAt: new Date(Date.UTC(year - 99, 5, 1, 10)) });
    const a = await ok(bank.coordinator.post('/lots', lotBody(century.id, iso(Date.UTC(year - 99, 5, 1, 12)))), 201);
    expect(a.din).toBe(`${fin}${String(yy).padStart(2, '0')}000042`);
  });

  it('orders processing: steps after the recovery, completion after the steps, preservation after the completion, the QA decision after all', async () => {
    const lot = await readyLot(t, bank);
    const fresh = await (async () => {
      const donor = await seedEligibleDonor(t, { deliveryFacilityId: bank.hospitalId, recoveredAt: daysFromNow(-2) });
      return ok(bank.coordinator.post('/lots', lotBody(donor.id, daysFromNow(-2).toISOString())), 201);
    })();
    let problem = expectProblem(
      await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${fresh.id}/processing-steps`, rinseStep(bank, { startedAt: daysFromNow(-3).toISOString() }))),
      422,
      'rule_violation',
    );
    expect(problem).toMatchObject({ errors: [{ field: 'body.startedAt' }], conflictsWith: { fact: 'the recovery' } });
    problem = expectProblem(
      await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${fresh.id}/processing-steps`, rinseStep(bank, { finishedAt: iso(Date.now() + 2 * HOUR) }))),
      422,
      'rule_violation',
    );
    expect(problem.errors[0].field).toBe('body.finishedAt');
    await ok(bank.coordinator.post(`/lots/${fresh.id}/processing-steps`, rinseStep(bank)), 201);
    problem = expectProblem(await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${fresh.id}/processing-completion`, { completedAt: daysFromNow(-1.5).toISOString() })), 422, 'rule_violation');
    expect(problem).toMatchObject({ errors: [{ field: 'body.completedAt' }], conflictsWith: { fact: 'the last processing step' } });
    await ok(bank.coordinator.post(`/lots/${fresh.id}/processing-completion`, { completedAt: ago(12) }), 200);
    const preservation = { method: 'dehydrated', storageTempMinC: 15, storageTempMaxC: 30, storageLocation: 'Shelf', expiresOn: dateOnly(daysFromNow(700)) };
    problem = expectProblem(await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${fresh.id}/preservation`, { ...preservation, preservedAt: ago(13) })), 422, 'rule_violation');
    expect(problem).toMatchObject({ errors: [{ field: 'body.preservedAt' }], conflictsWith: { fact: 'the processing completion' } });
    await ok(bank.coordinator.post(`/lots/${fresh.id}/preservation`, { ...preservation, preservedAt: ago(1) }), 201);
    for (const decidedAt of [ago(2), iso(Date.now() + 2 * HOUR)]) {
      problem = expectProblem(await refusedWithoutWrites(t, () => bank.quality.post(`/lots/${fresh.id}/release`, { decidedAt, reason: 'review', ...signed('approval') })), 422, 'rule_violation');
      expect(problem.errors[0].field).toBe('body.decidedAt');
    }
    await ok(bank.quality.post(`/lots/${lot.id}/release`, { decidedAt: new Date().toISOString(), reason: 'review', ...signed('approval') }), 201);
  });

  it('orders a unit’s journey: shipment after its split, receipt after the shipment, administration after the receipt, corrections and reactions in order', async () => {
    const lot = await readyLot(t, bank);
    await ok(bank.quality.post(`/lots/${lot.id}/release`, { decidedAt: new Date().toISOString(), reason: 'review', ...signed('approval') }), 201);
    const [unit, other] = await splitUnits(bank, lot.id, 2);
    const shipment = (shippedAt: string) => ({ fromFacilityId: bank.bankId, toFacilityId: bank.clinicId, unitCodes: [unit!.code], shippedAt, conditions: 'ambient' });
    let problem = expectProblem(await refusedWithoutWrites(t, () => bank.coordinator.post('/shipments', shipment(ago(1)))), 422, 'rule_violation');
    expect(problem).toMatchObject({ errors: [{ field: 'body.shippedAt' }], conflictsWith: { fact: expect.stringMatching(/split|release/) } });
    const shipped = await ok(bank.coordinator.post('/shipments', shipment(new Date().toISOString())), 201);
    const receipt = (receivedAt: string) => ({ receivedAt, conditionAcceptable: true, temperatureAcceptable: true });
    problem = expectProblem(await refusedWithoutWrites(t, () => bank.clinician.post(`/shipments/${shipped.id}/receipt`, receipt(ago(1)))), 422, 'rule_violation');
    expect(problem).toMatchObject({ errors: [{ field: 'body.receivedAt' }], conflictsWith: { fact: 'the shipment', at: shipped.shippedAt } });
    await new Promise((r) => setTimeout(r, 20));
    const received = await ok(bank.clinician.post(`/shipments/${shipped.id}/receipt`, receipt(new Date().toISOString())), 201);
    const patient = await ok(bank.clinician.post('/patients', { medicalRecordNumber: `CHR-${Date.now()}` }), 201);
    const dose = (administeredAt: string) => ({ unitCode: unit!.code, patientId: patient.id, administeredAt, anatomicalSite: 'heel', indication: 'burn' });
    problem = expectProblem(await refusedWithoutWrites(t, () => bank.clinician.post('/administrations', dose(ago(1)))), 422, 'rule_violation');
    expect(problem).toMatchObject({ errors: [{ field: 'body.administeredAt' }], conflictsWith: { fact: expect.stringMatching(/receipt/), at: received.receivedAt } });
    await new Promise((r) => setTimeout(r, 20));
    const given = await ok(bank.clinician.post('/administrations', dose(new Date().toISOString())), 201);
    const reaction = (onsetAt: string, reportedAt?: string) => ({ onsetAt, description: 'rash', severity: 'mild', suspectedCommunicableDisease: false, ...(reportedAt ? { reportedAt } : {}) });
    problem = expectProblem(await refusedWithoutWrites(t, () => bank.clinician.post(`/administrations/${given.id}/adverse-reactions`, reaction(ago(1)))), 422, 'rule_violation');
    expect(problem).toMatchObject({ errors: [{ field: 'body.onsetAt' }], conflictsWith: { fact: 'the administration' } });
    await new Promise((r) => setTimeout(r, 20));
    const onset = new Date().toISOString();
    problem = expectProblem(await refusedWithoutWrites(t, () => bank.clinician.post(`/administrations/${given.id}/adverse-reactions`, reaction(onset, given.administeredAt))), 422, 'rule_violation');
    expect(problem.errors[0].field).toBe('body.reportedAt');
    await ok(bank.clinician.post(`/administrations/${given.id}/adverse-reactions`, reaction(onset)), 201);
    // A corrected time must stay after the receipt and before the reaction's onset.
    for (const administeredAt of [ago(1), iso(Date.parse(onset) + 60_000)]) {
      problem = expectProblem(
        await refusedWithoutWrites(t, () => bank.clinician.post(`/administrations/${given.id}/corrections`, { administeredAt, reasonCode: 'wrong_time', reasonText: 'typo', ...signed('responsibility') })),
        422,
        'rule_violation',
      );
      expect(problem.errors[0].field).toBe('body.administeredAt');
    }
    // The other unit, still at the bank: a discard cannot precede its split.
    problem = expectProblem(await refusedWithoutWrites(t, () => bank.coordinator.post(`/units/${other!.code}/discard`, { reasonCode: 'damaged', occurredAt: ago(1) })), 422, 'rule_violation');
    expect(problem).toMatchObject({ errors: [{ field: 'body.occurredAt' }], conflictsWith: { fact: expect.stringMatching(/split|release/) } });
  });

  it('records consents, specimens and withdrawals in order with the delivery', async () => {
    const { donor, consent } = await createEligibleDonor(t, { deliveryDate: daysAgo(5) });
    const specimen = (specimenCollectedAt: string) => ({
      testCode: 'HIV_1_2_AB', method: 'assay', laboratoryName: 'Lab', laboratoryId: '05D0123456', specimenCollectedAt, result: 'negative', interpretation: 'ok',
    });
    for (const at of [`${daysAgo(14)}T00:00:00.000Z`, iso(Date.now() + 24 * HOUR)]) {
      const problem = expectProblem(await refusedWithoutWrites(t, () => t.admin.post(`/donors/${donor.id}/screening-tests`, specimen(at))), 422, 'rule_violation');
      expect(problem.errors[0].field).toBe('body.specimenCollectedAt');
    }
    await ok(t.admin.post(`/donors/${donor.id}/screening-tests`, specimen(`${daysAgo(10)}T12:00:00.000Z`)), 201);
    const problem = expectProblem(
      await refusedWithoutWrites(t, () => t.admin.post(`/donors/${donor.id}/consents/${consent.id}/withdrawal`, { withdrawnAt: '2019-12-31T00:00:00.000Z', reason: 'x' })),
      422,
      'rule_violation',
    );
    expect(problem).toMatchObject({ errors: [{ field: 'body.withdrawnAt' }], conflictsWith: { fact: 'the consent it withdraws' } });
    const future = expectProblem(await refusedWithoutWrites(t, () => t.admin.post('/donors', {
      donorCode: `FUT-${Date.now()}`, deliveryFacilityId: bank.hospitalId, deliveryDate: dateOnly(daysFromNow(2)), gestationalAgeWeeks: 39, deliveryMode: 'scheduled_caesarean',
    })), 422, 'rule_violation');
    expect(future.errors[0].field).toBe('body.deliveryDate');
  });

  it('keeps a donor’s recoveries in order when her delivery date is corrected', async () => {
    const donor = await seedEligibleDonor(t, { deliveryFacilityId: bank.hospitalId, recoveredAt: daysFromNow(-2) });
    await ok(bank.coordinator.post('/lots', lotBody(donor.id, daysFromNow(-2).toISOString())), 201);
    const problem = expectProblem(
      await refusedWithoutWrites(t, () => t.admin.post(`/donors/${donor.id}/corrections`, { field: 'deliveryDate', value: dateOnly(daysFromNow(-6)), reasonCode: 'transcription_error', reasonText: 'typo' })),
      422,
      'rule_violation',
    );
    expect(problem.detail).toMatch(/recovery/);
  });
});
