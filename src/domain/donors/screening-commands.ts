// Screening results and the medical and social history review: the facts eligibility rests on.
import type { RequestContext } from '../shared/context.ts';
import { ruleViolation } from '../shared/errors.ts';
import { assertNotFuture, assertSpecimenFitsDelivery, instant } from '../shared/chronology.ts';
import { requireDonor, supersedeDetermination, type DonorDeps } from './donor-records.ts';
import { donorStanding } from './donor-standing.ts';
import { KNOWN_TESTS, SPECIMEN_WINDOW_DAYS } from './screening-panel.ts';

export interface NewScreeningTest {
  testCode: string;
  method: string;
  laboratoryName: string;
  laboratoryId: string;
  specimenCollectedAt: Date;
  result: 'negative' | 'reactive' | 'indeterminate';
  interpretation: string;
}

export interface NewMedicalHistoryReview {
  reviewedBy: string;
  reviewedAt: Date;
  outcome: 'acceptable' | 'unacceptable';
  notes?: string;
}

export function createScreeningCommands({ runCommand, settings }: DonorDeps) {
  const panel = settings.screeningPanel;

  function screeningPanel() {
    const tests = panel.map((code) => ({ code, name: KNOWN_TESTS.find((t) => t.code === code)?.name ?? code }));
    return { tests, specimenWindowDays: SPECIMEN_WINDOW_DAYS };
  }

  async function recordScreeningTest(ctx: RequestContext, donorId: string, input: NewScreeningTest) {
    return runCommand(ctx, async (command) => {
      const { tx, audit, now } = command;
      const donor = await requireDonor(tx, donorId);
      if (!panel.includes(input.testCode)) {
        throw ruleViolation(`Test ${input.testCode} is not in the screening panel (${panel.join(', ')}).`, { field: 'testCode', panel });
      }
      assertNotFuture('specimenCollectedAt', instant('the specimen collection', input.specimenCollectedAt), now);
      assertSpecimenFitsDelivery('specimenCollectedAt', input.specimenCollectedAt, donor.deliveryDate, settings.recoveryLimitHours);
      const test = await tx.screeningTest.create({ data: { ...input, donorId, createdBy: ctx.actor.keyId } });
      await audit({ action: 'screening_test.recorded', entityType: 'screening_test', entityId: test.id, after: test });

      // A reactive or indeterminate result takes an "eligible" decision out of force at once;
      // the write lock makes this and a concurrent determination happen one after the other.
      let supersededDeterminationId: string | null = null;
      const standing = input.result === 'negative' ? null : await donorStanding(tx, donorId);
      if (standing?.eligibility?.outcome === 'eligible') {
        supersededDeterminationId = standing.eligibility.id;
        await supersedeDetermination(command, supersededDeterminationId, `${input.result} ${input.testCode} result recorded (screening test ${test.id})`);
      }
      return { ...test, supersededDeterminationId };
    });
  }

  async function recordMedicalHistoryReview(ctx: RequestContext, donorId: string, input: NewMedicalHistoryReview) {
    return runCommand(ctx, async ({ tx, audit, now }) => {
      await requireDonor(tx, donorId);
      assertNotFuture('reviewedAt', instant('the review', input.reviewedAt), now);
      const review = await tx.medicalHistoryReview.create({ data: { ...input, donorId, createdBy: ctx.actor.keyId } });
      await audit({ action: 'medical_history_review.recorded', entityType: 'medical_history_review', entityId: review.id, after: review });
      return review;
    });
  }

  return { screeningPanel, recordScreeningTest, recordMedicalHistoryReview };
}
