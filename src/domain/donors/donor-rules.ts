// Pure rules about donors: who may be registered, what an "eligible" decision needs, and
// how each unmet prerequisite reads. No database here; the commands feed them facts.
import type { DonorStanding, ScreeningGap } from './donor-standing.ts';

/** Full term, 21 CFR 1271 practice for placental tissue: 37 completed weeks or more. */
export const FULL_TERM_WEEKS = 37;

export interface DeliveryFacts {
  deliveryDate: Date;
  gestationalAgeWeeks: number;
  deliveryMode: string;
}

/**
 * Why this delivery cannot give tissue, or null when it can. Only placental tissue from a
 * living donor after a full-term scheduled Caesarean section: never embryonic or fetal tissue.
 */
export function acceptanceProblem(facts: DeliveryFacts): { detail: string; fields: string[] } | null {
  const problems: string[] = [];
  const fields: string[] = [];
  if (facts.deliveryMode !== 'scheduled_caesarean') {
    problems.push(`the delivery mode is ${facts.deliveryMode}, not scheduled_caesarean`);
    fields.push('deliveryMode');
  }
  if (facts.gestationalAgeWeeks < FULL_TERM_WEEKS) {
    problems.push(`the gestational age is ${facts.gestationalAgeWeeks} weeks, under the ${FULL_TERM_WEEKS} of a full-term pregnancy`);
    fields.push('gestationalAgeWeeks');
  }
  if (!problems.length) return null;
  const detail = `Only placental tissue after a full-term (${FULL_TERM_WEEKS} weeks or more) scheduled Caesarean section is accepted: ${problems.join(' and ')}.`;
  return { detail, fields };
}

export interface FailedPrerequisite {
  code: string;
  detail: string;
  testCode?: string;
  problem?: ScreeningGap['problem'];
}

/** Every reason an "eligible" determination cannot be made; empty when it can. */
export function eligibilityPrerequisites(
  standing: Pick<DonorStanding, 'consentInForce' | 'medicalHistoryReviewed'> & { medicalHistoryOutcome: string | null },
  gaps: ScreeningGap[],
): FailedPrerequisite[] {
  const failed: FailedPrerequisite[] = [];
  if (!standing.consentInForce) failed.push({ code: 'consent_not_in_force', detail: 'No consent of the donor covering clinical use is in force.' });
  if (standing.medicalHistoryOutcome === null) {
    failed.push({ code: 'medical_history_review_missing', detail: 'No medical and social history review is recorded.' });
  } else if (!standing.medicalHistoryReviewed) {
    failed.push({ code: 'medical_history_unacceptable', detail: 'The latest medical and social history review found the donor unacceptable.' });
  }
  for (const gap of gaps) {
    failed.push({ code: `screening_${gap.problem}`, testCode: gap.testCode, problem: gap.problem, detail: gapDetail(gap) });
  }
  return failed;
}

function gapDetail({ testCode, problem }: ScreeningGap): string {
  switch (problem) {
    case 'missing':
      return `${testCode}: no result recorded.`;
    case 'reactive':
      return `${testCode}: a reactive result on a specimen in the window.`;
    case 'indeterminate':
      return `${testCode}: an indeterminate result on a specimen in the window.`;
    case 'outside_window':
      return `${testCode}: no negative result on a specimen collected within 7 days of recovery.`;
  }
}
