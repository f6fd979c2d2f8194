// The release gate: every reason a lot may not leave quarantine, all at once, so that QA sees
// the whole list. The donor rules come from donors/donor-standing.ts, written once.
import type { Lot, PrismaClient } from '../../generated/prisma/client.ts';
import { donorStanding, screeningGaps } from '../donors/donor-standing.ts';
import type { Tx } from '../shared/transaction.ts';
import { calendarDay } from '../shared/dates.ts';

export interface FailedPrerequisite {
  code: 'donor_not_eligible' | 'consent_not_in_force' | 'screening_gap' | 'processing_not_complete' | 'open_deviations' | 'preservation_missing' | 'expired';
  detail: string;
  testCode?: string;
  problem?: string;
}

export async function failedReleasePrerequisites(tx: Tx, lot: Lot, panel: string[], today: Date): Promise<FailedPrerequisite[]> {
  const [standing, gaps, openDeviations, preservation] = await Promise.all([
    donorStanding(tx, lot.donorId),
    screeningGaps(tx, lot.donorId, panel, lot.recoveredAt),
    tx.processingDeviation.count({ where: { lotId: lot.id, closedAt: null } }),
    latestPreservation(tx, lot.id),
  ]);
  const failed: FailedPrerequisite[] = [];
  if (!standing.eligible) {
    failed.push({ code: 'donor_not_eligible', detail: standing.eligibility ? `The donor's current determination is ${standing.eligibility.outcome}.` : 'The donor has no current eligibility determination.' });
  }
  if (!standing.consentInForce) failed.push({ code: 'consent_not_in_force', detail: 'The donor has no consent in force.' });
  for (const gap of gaps) {
    failed.push({ code: 'screening_gap', testCode: gap.testCode, problem: gap.problem, detail: `Screening test ${gap.testCode}: ${gap.problem.replace('_', ' ')} around the recovery.` });
  }
  if (!lot.processingCompletedAt) failed.push({ code: 'processing_not_complete', detail: 'Processing has not been marked complete.' });
  if (openDeviations > 0) failed.push({ code: 'open_deviations', detail: `${openDeviations} processing deviation(s) are still open.` });
  if (!preservation) failed.push({ code: 'preservation_missing', detail: 'No preservation with an expiry date is recorded.' });
  else if (preservation.expiresOn < today) {
    failed.push({ code: 'expired', detail: `The lot expired on ${calendarDay(preservation.expiresOn)}.` });
  }
  return failed;
}

/** The preservation that counts: the latest recorded (a correction is a new record). */
export function latestPreservation(tx: Tx | PrismaClient, lotId: string) {
  return tx.preservation.findFirst({ where: { lotId }, orderBy: [{ createdAt: 'desc' }, { preservedAt: 'desc' }, { id: 'desc' }] });
}

