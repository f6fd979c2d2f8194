// HCT/P deviations, 21 CFR 1271.350(b): a deviation relating to a core CGTP requirement in an
// HCT/P that was distributed is reported to FDA within 45 days of its discovery. The core
// CGTP requirements are those of 1271.150(b).
import { addDays, startOfDay } from '../shared/dates.ts';

export const DEVIATION_REPORT_DAYS = 45;

/** The core CGTP requirements (21 CFR 1271.150(b)(1)–(10)), each with the sections it covers. */
export const CORE_CGTP_REQUIREMENTS = {
  facilities: '1271.190(a) and (b)',
  environmental_control: '1271.195(a)',
  equipment: '1271.200(a)',
  supplies_and_reagents: '1271.210(a) and (b)',
  recovery: '1271.215',
  processing_and_process_controls: '1271.220',
  labeling_controls: '1271.250(a) and (b)',
  storage: '1271.260(a) through (d)',
  receipt_predistribution_shipment_distribution: '1271.265(a) through (d)',
  donor_eligibility_screening_testing: '1271.50, 1271.75, 1271.80 and 1271.85',
} as const;

export type CoreRequirement = keyof typeof CORE_CGTP_REQUIREMENTS;

/** Due 45 calendar days after the day of discovery. */
export const reportDueOn = (discoveredAt: Date): Date => addDays(startOfDay(discoveredAt), DEVIATION_REPORT_DAYS);

export { isOverdue } from '../adverse-reactions/adverse-reaction-rules.ts';

/** Only a deviation in a distributed HCT/P is reported under 1271.350(b). */
export const notDistributedReason = (lotId: string) =>
  `No unit of lot ${lotId} was ever distributed: 21 CFR 1271.350(b) reports deviations in distributed HCT/Ps. ` +
  'Record a deviation found before distribution with the processing step it concerns, where it blocks release until closed.';

