// Calendar dates (expiry, delivery) are stored at UTC midnight; instants are compared with them
// by their UTC calendar day.

/** The UTC calendar day of an instant, as YYYY-MM-DD. */
export const calendarDay = (instant: Date): string => instant.toISOString().slice(0, 10);

/** The instant's calendar day as a date at UTC midnight, to compare with date-only columns. */
export const startOfDay = (instant: Date): Date => new Date(`${calendarDay(instant)}T00:00:00.000Z`);

/** The calendar date `days` after a date at UTC midnight. */
export const addDays = (date: Date, days: number): Date => new Date(date.getTime() + days * 86_400_000);
