// Where a donor stands, in one place: is her consent in force, is she determined eligible,
// and do her screening results support eligibility around a given recovery. Used by the
// eligibility rule (donors) and by the release gate (lots), so the rule is written once.
import type { Prisma } from '../../generated/prisma/client.ts';
import type { Tx } from '../shared/transaction.ts';
import { inSpecimenWindow } from './screening-panel.ts';

/**
 * The one definition of "consent in force": a consent not withdrawn whose scope covers
 * clinical use. A research- or education-only consent never allows clinical use or release.
 */
export const consentInForceWhere = { withdrawal: { is: null }, scope: { has: 'clinical_use' } } satisfies Prisma.ConsentWhereInput;

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
  const [consentsInForce, determination, review] = await Promise.all([
    tx.consent.count({ where: { donorId, ...consentInForceWhere } }),
    tx.eligibilityDetermination.findFirst({
      where: { donorId, supersededAt: null },
      orderBy: [{ determinedAt: 'desc' }, { createdAt: 'desc' }],
    }),
    tx.medicalHistoryReview.findFirst({ where: { donorId }, orderBy: [{ reviewedAt: 'desc' }, { createdAt: 'desc' }] }),
  ]);
  return {
    donorId,
    consentInForce: consentsInForce > 0,
    eligibility: determination
      ? { id: determination.id, outcome: determination.outcome, determinedAt: determination.determinedAt, determinedBy: determination.determinedBy }
      : null,
    eligible: determination?.outcome === 'eligible',
    medicalHistoryReviewed: review?.outcome === 'acceptable',
    medicalHistoryOutcome: review?.outcome ?? null,
  };
}

type ScreeningResultRow = { testCode: string; specimenCollectedAt: Date; result: string };

/**
 * For each test of the panel: is there a negative result on a specimen collected within the
 * window around `recoveredAt`? Any reactive or indeterminate result in the window counts
 * against the donor, whatever else was found. Returns what is missing or wrong; empty = complete.
 */
function gapsAround(tests: ScreeningResultRow[], panel: string[], recoveredAt: Date): ScreeningGap[] {
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

const resultsOf = (tx: Tx, donorId: string, panel: string[]) => tx.screeningTest.findMany({ where: { donorId, testCode: { in: panel } } });

/** The screening gaps around one recovery (one lot). */
export async function screeningGaps(tx: Tx, donorId: string, panel: string[], recoveredAt: Date): Promise<ScreeningGap[]> {
  return gapsAround(await resultsOf(tx, donorId, panel), panel, recoveredAt);
}

const SEVERITY: Record<ScreeningGap['problem'], number> = { reactive: 4, indeterminate: 3, missing: 2, outside_window: 1 };

/**
 * The screening gaps an "eligible" determination must not have: every recovery of hers must be
 * covered, so the window is checked around each of her lots (before any lot, her delivery date,
 * as a placenta is recovered at delivery). One gap per test, the worst found. Three queries, however many lots.
 */
export async function eligibilityScreeningGaps(tx: Tx, donorId: string, panel: string[]): Promise<ScreeningGap[]> {
  const [lots, donor, tests] = await Promise.all([
    tx.lot.findMany({ where: { donorId }, select: { recoveredAt: true } }),
    tx.donor.findUniqueOrThrow({ where: { id: donorId }, select: { deliveryDate: true } }),
    resultsOf(tx, donorId, panel),
  ]);
  const anchors = lots.length ? lots.map((lot) => lot.recoveredAt) : [donor.deliveryDate];
  const worst = new Map<string, ScreeningGap>();
  for (const gap of anchors.flatMap((at) => gapsAround(tests, panel, at))) {
    const seen = worst.get(gap.testCode);
    if (!seen || SEVERITY[gap.problem] > SEVERITY[seen.problem]) worst.set(gap.testCode, gap);
  }
  return [...worst.values()];
}
