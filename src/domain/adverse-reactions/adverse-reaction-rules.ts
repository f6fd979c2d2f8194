// When a report to the regulator is due. 21 CFR 1271.350(a): an adverse reaction involving a
// communicable disease is reported to FDA within 15 calendar days of the initial receipt of the
// information. Other adverse reactions are investigated with no regulatory due date. (Deviations,
// 1271.350(b), have their own reports: deviation-reports/.)
import { addDays, calendarDay, startOfDay } from '../shared/dates.ts';

export const COMMUNICABLE_DISEASE_REPORT_DAYS = 15;

/**
 * The calendar date the report is due, counted from the day the reaction was reported
 * (received); null when no communicable disease is involved or suspected.
 */
export function reportDueOn(reportedAt: Date, suspectedCommunicableDisease: boolean): Date | null {
  return suspectedCommunicableDisease ? addDays(startOfDay(reportedAt), COMMUNICABLE_DISEASE_REPORT_DAYS) : null;
}

/** Overdue once the due date, if any, has passed while the investigation or report is still open. */
export const isOverdue = (dueOn: Date | null, closedAt: Date | null, today: Date) =>
  dueOn !== null && closedAt === null && calendarDay(dueOn) < calendarDay(today);
