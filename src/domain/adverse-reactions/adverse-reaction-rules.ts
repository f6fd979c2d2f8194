// When a report to the regulator is due. 21 CFR 1271.350(a): an adverse reaction involving a
// communicable disease is reported to FDA within 15 calendar days of the initial receipt of the
// information; other reportable events (1271.350(b), deviations) within 45 days of discovery.
import { calendarDay, startOfDay } from '../shared/dates.ts';

export const COMMUNICABLE_DISEASE_REPORT_DAYS = 15;
export const OTHER_REPORT_DAYS = 45;

/** The calendar date the report is due, counted from the day the reaction was reported (discovered). */
export function reportDueOn(reportedAt: Date, suspectedCommunicableDisease: boolean): Date {
  const days = suspectedCommunicableDisease ? COMMUNICABLE_DISEASE_REPORT_DAYS : OTHER_REPORT_DAYS;
  const due = startOfDay(reportedAt);
  due.setUTCDate(due.getUTCDate() + days);
  return due;
}

/** Overdue once the due date has passed while the investigation is still open. */
export const isOverdue = (dueOn: Date, closedAt: Date | null, today: Date) => closedAt === null && calendarDay(dueOn) < calendarDay(today);
