// Where a donor stands, in one place: is her consent in force, is she determined eligible,
// and do her screening results support eligibility around a given recovery. Used by the
// eligibility rule (donors) and by the release gate (lots), so the rule is written once.
import type { Tx } from '../shared/transaction.ts';
import { inSpecimenWindow } from './screening-panel.ts';

export interface ScreeningGap {
  testCode: string;
  problem: 'missing' | 'reactive' | 'indeterminate' | 'outside_window';
}

export interface DonorStanding {
  donorId: string;
  consentInForce: boolean;
  /** The current determination: the latest one not superseded, or none. */
  eligibility: { id: string; outcome: string; determinedAt: Date; determinedBy: string } | null;
  eligible: boolean;
  /** The latest medical and social history review found her acceptable. */
  medicalHistoryReviewed: boolean;
  /** Outcome of the latest review (a later review replaces an earlier one), or null when none. */
  medicalHistoryOutcome: string | null;
}

export async function donorStanding(tx: Tx, donorId: string): Promise<DonorStanding> {
  const [consents, determination, review] = await Promise.all([
    tx.consent.findMany({ where: { donorId }, include: { withdrawal: true } }),
    tx.eligibilityDetermination.findFirst({
      where: { donorId, supersededAt: null },
      orderBy: [{ determinedAt: 'desc' }, { createdAt: 'desc' }],
    }),
    tx.medicalHistoryReview.findFirst({ where: { donorId }, orderBy: [{ reviewedAt: 'desc' }, { createdAt: 'desc' }] }),
  ]);
  return {
    donorId,
    consentInForce: consents.some((c) => !c.withdrawal),
    eligibility: determination
      ? { id: determination.id, outcome: determination.outcome, determinedAt: determination.determinedAt, determinedBy: determination.determinedBy }
      : null,
    eligible: determination?.outcome === 'eligible',
    medicalHistoryReviewed: review?.outcome === 'acceptable',
    medicalHistoryOutcome: review?.outcome ?? null,
  };
}

/**
 * For each test of the panel: is there a negative result on a specimen collected within the
 * window around `recoveredAt`? Any reactive or indeterminate result in the window counts
 * against the donor, whatever else was found. Returns what is missing or wrong; empty = complete.
 */
export async function screeningGaps(tx: Tx, donorId: string, panel: string[], recoveredAt: Date): Promise<ScreeningGap[]> {
  const tests = await tx.screeningTest.findMany({ where: { donorId, testCode: { in: panel } } });
  const gaps: ScreeningGap[] = [];
  for (const testCode of panel) {
    const results = tests.filter((t) => t.testCode === testCode);
    const inWindow = results.filter((t) => inSpecimenWindow(t.specimenCollectedAt, recoveredAt));
    if (inWindow.some((t) => t.result === 'reactive')) gaps.push({ testCode, problem: 'reactive' });
    else if (inWindow.some((t) => t.result === 'indeterminate')) gaps.push({ testCode, problem: 'indeterminate' });
    else if (inWindow.some((t) => t.result === 'negative')) continue;
    else gaps.push({ testCode, problem: results.length ? 'outside_window' : 'missing' });
  }
  return gaps;
}

/**
 * The instants the specimen window is measured around: the recovery of each of her lots,
 * or, before any lot exists, her delivery date (a placenta is recovered at delivery).
 */
export async function specimenWindowAnchors(tx: Tx, donorId: string): Promise<Date[]> {
  const lots = await tx.lot.findMany({ where: { donorId }, select: { recoveredAt: true } });
  if (lots.length) return lots.map((lot) => lot.recoveredAt);
  const donor = await tx.donor.findUniqueOrThrow({ where: { id: donorId }, select: { deliveryDate: true } });
  return [donor.deliveryDate];
}
