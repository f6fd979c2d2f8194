// The order of a tissue's history, stated once. Every dated step comes after the steps it
// depends on, and none lies in the future:
//
//   delivery → recovery (no later than RECOVERY_LIMIT_HOURS after the delivery date)
//     → processing steps → processing completion → preservation → QA release (or rejection)
//     → split into units → shipment → receipt → administration
//     → adverse reaction onset → its report;   discard and return after the unit's last event
//
// - consent: a lot is recovered only under a consent in force obtained at or before the recovery;
//   a withdrawal follows the consent it withdraws;
// - screening specimens: collected at recovery or within 7 days of it (1271.80(b)); since recovery
//   follows delivery within the limit, a specimen outside [delivery − 7 days, delivery + limit + 7
//   days] can belong to no recovery of hers and is refused;
// - an eligible determination follows the history review and the consent it rests on, and a
//   release follows the eligible determination in force;
// - a unit's history is a sequence: each new dated event (shipment, receipt, administration,
//   discard, return) follows its last one; its split counts from when it was recorded;
// - corrections keep the order: a corrected delivery date keeps every recovery and specimen of
//   hers in order, a corrected administration time stays after the receipt and before any
//   adverse reaction reported on it.
//
// Calendar dates (delivery) are compared with instants in the donor's favour across time zones:
// a date begins at 00:00 in UTC+14 and ends at 24:00 in UTC−12, so only what is impossible in
// every time zone is refused. A refusal is 422 naming the field and both instants.
import { ruleViolation } from './errors.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A clock a little ahead of the server's must not refuse a real event. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** Default of RECOVERY_LIMIT_HOURS: a placenta is recovered at delivery and reaches the bank within a day. */
export const DEFAULT_RECOVERY_LIMIT_HOURS = 24;

/** Specimens are collected at recovery or within 7 days before or after it (21 CFR 1271.80(b)). */
export const SPECIMEN_WINDOW_DAYS = 7;

/** A DIN's two-digit year names one year of a hundred (ISBT 128: unique for 100 years). */
export const DIN_YEARS = 100;

/** A dated fact: what it is (as a person would name it) and when. */
export interface Moment {
  label: string;
  at: Date;
  kind: 'instant' | 'date';
}

export const instant = (label: string, at: Date): Moment => ({ label, at, kind: 'instant' });
export const calendarDay = (label: string, at: Date): Moment => ({ label, at, kind: 'date' });

/** The earliest instant a moment can stand for, and the latest. */
const earliest = (m: Moment) => (m.kind === 'instant' ? m.at.getTime() : m.at.getTime() - 14 * HOUR_MS);
const latest = (m: Moment) => (m.kind === 'instant' ? m.at.getTime() : m.at.getTime() + DAY_MS + 12 * HOUR_MS);

const shown = (m: Moment) => (m.kind === 'instant' ? m.at.toISOString() : m.at.toISOString().slice(0, 10));

function refusal(field: string, message: string, subject: Moment, other: Moment) {
  return ruleViolation(message.charAt(0).toUpperCase() + message.slice(1), { field, [field]: shown(subject), conflictsWith: { fact: other.label, at: shown(other) } });
}

/** `later` (the field being recorded or corrected) must not come before `earlier`. */
export function assertNotBefore(field: string, later: Moment, earlier: Moment | null | undefined): void {
  if (!earlier) return;
  if (latest(later) < earliest(earlier)) {
    throw refusal(field, `${later.label} (${shown(later)}) cannot come before ${earlier.label} (${shown(earlier)}).`, later, earlier);
  }
}

/** `earlier` (the field being recorded or corrected) must not come after `later`. */
export function assertNotAfter(field: string, earlier: Moment, later: Moment | null | undefined): void {
  if (!later) return;
  if (earliest(earlier) > latest(later)) {
    throw refusal(field, `${earlier.label} (${shown(earlier)}) cannot come after ${later.label} (${shown(later)}).`, earlier, later);
  }
}

/** Nothing recorded lies in the future (a calendar date: not after today anywhere on Earth). */
export function assertNotFuture(field: string, moment: Moment, now: Date): void {
  if (earliest(moment) > now.getTime() + CLOCK_SKEW_MS) {
    throw refusal(field, `${moment.label} (${shown(moment)}) is in the future: it is now ${now.toISOString()}.`, moment, instant('now', now));
  }
}

/** The latest of several moments (null when there is none). */
export function lastOf(...moments: (Moment | null | undefined)[]): Moment | null {
  let last: Moment | null = null;
  for (const m of moments) if (m && (!last || latest(m) > latest(last))) last = m;
  return last;
}

/** The earliest of several moments (null when there is none). */
export function firstOf(...moments: (Moment | null | undefined)[]): Moment | null {
  let first: Moment | null = null;
  for (const m of moments) if (m && (!first || earliest(m) < earliest(first))) first = m;
  return first;
}

/** The recovery of a placenta: on or after the delivery date, within the limit after it. */
export function assertRecoveryAfterDelivery(field: string, recoveredAt: Date, deliveryDate: Date, limitHours: number): void {
  const recovery = instant('the recovery', recoveredAt);
  const delivery = calendarDay('the delivery date', deliveryDate);
  assertNotBefore(field, recovery, delivery);
  const deadline = instant(`the end of the delivery date plus ${limitHours} h (RECOVERY_LIMIT_HOURS)`, new Date(latest(delivery) + limitHours * HOUR_MS));
  assertNotAfter(field, recovery, deadline);
}

/** A DIN's year: the recovery's, one of the last hundred years, so that no two DINs can share it. */
export function assertRecoveryYearFitsDin(field: string, recoveredAt: Date, now: Date): void {
  const first = now.getUTCFullYear() - (DIN_YEARS - 1);
  if (recoveredAt.getUTCFullYear() < first) {
    throw refusal(
      field,
      `The recovery (${recoveredAt.toISOString()}) lies more than ${DIN_YEARS} years back: a DIN's two-digit year stands for one of the years ${first} to ${now.getUTCFullYear()} only.`,
      instant('the recovery', recoveredAt),
      instant(`the first year a DIN can name`, new Date(Date.UTC(first, 0, 1))),
    );
  }
}

/** A screening specimen that can belong to a recovery of this delivery: within 7 days of [delivery, delivery + limit]. */
export function assertSpecimenFitsDelivery(field: string, collectedAt: Date, deliveryDate: Date, limitHours: number): void {
  const specimen = instant('the specimen collection', collectedAt);
  const delivery = calendarDay('the delivery date', deliveryDate);
  const window = SPECIMEN_WINDOW_DAYS * DAY_MS;
  assertNotBefore(field, specimen, instant(`${SPECIMEN_WINDOW_DAYS} days before the delivery date`, new Date(earliest(delivery) - window)));
  assertNotAfter(field, specimen, instant(`${SPECIMEN_WINDOW_DAYS} days after the latest possible recovery`, new Date(latest(delivery) + limitHours * HOUR_MS + window)));
}
