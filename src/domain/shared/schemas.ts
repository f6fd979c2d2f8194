// Building blocks for the zod schemas of every capability. A schema is the single source of
// validation, TypeScript type and OpenAPI document; codecs turn wire strings into Dates and back.
//
// What any input must be to be stored (src/domain/shared/input-rules.ts says it once):
// - text is well-formed Unicode without control characters (tab and line breaks only where a
//   field is multi-line), and is stored exactly as sent: nothing is trimmed, normalised or
//   replaced, so two different inputs are never stored as the same value;
// - every date and instant lies in the accepted range (ACCEPTED_RANGE), so that whatever is
//   stored reads back as a valid date;
// - numbers fit their column: decimals have at most the column's places, sequence numbers fit
//   a bigint.
import { z } from 'zod';
import { calendarDay } from './dates.ts';
import { ACCEPTED_RANGE, identifierProblem, isAcceptedInstant, textProblem } from './input-rules.ts';

const rangeText = `${ACCEPTED_RANGE.firstDay} to ${ACCEPTED_RANGE.lastDay} (UTC)`;

/** An instant with its offset, e.g. 2026-11-24T08:30:00Z; a Date inside the service, kept to the millisecond. */
export const timestamp = z
  .codec(
    z.iso.datetime({ offset: true }).refine((text) => isAcceptedInstant(new Date(text)), `must lie between ${rangeText}`),
    z.date(),
    {
      decode: (text) => new Date(text),
      encode: (date) => date.toISOString(),
    },
  )
  .meta({ description: `ISO 8601 date-time with offset, from ${rangeText}; kept to the millisecond`, example: '2026-11-24T08:30:00Z' });

/** A calendar date, e.g. 2026-11-24; a Date at UTC midnight inside the service. */
export const calendarDate = z
  .codec(
    z.iso.date().refine((text) => text >= ACCEPTED_RANGE.firstDay && text <= ACCEPTED_RANGE.lastDay, `must lie between ${rangeText}`),
    z.date(),
    {
      decode: (text) => new Date(`${text}T00:00:00.000Z`),
      encode: calendarDay,
    },
  )
  .meta({ description: `ISO 8601 calendar date, from ${ACCEPTED_RANGE.firstDay} to ${ACCEPTED_RANGE.lastDay}`, example: '2026-11-24' });

export const id = z.uuid().meta({ description: 'Record id (UUID)' });
export const idParams = z.object({ id });

/**
 * Free text that must say something: well-formed, no control characters, not blank, stored as
 * sent. Single-line unless `multiline`, which also allows tab, line feed and carriage return.
 */
export const text = (max = 500, { multiline = false }: { multiline?: boolean } = {}) =>
  z
    .string()
    .max(max)
    .superRefine((value, ctx) => {
      const problem = textProblem(value, { multiline });
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
      else if (value.trim() === '') ctx.addIssue({ code: 'custom', message: 'must not be blank' });
    });

/** Notes, reasons, descriptions: text that may run over several lines. */
export const multilineText = (max = 2000) => text(max, { multiline: true });

/**
 * A value that identifies something (a medical record number, a code as typed): single-line
 * text without surrounding spaces, in Unicode NFC, so that two inputs that look the same are
 * the same value and two that differ are stored differently.
 */
export const identifier = (max = 64) =>
  z
    .string()
    .min(1)
    .max(max)
    .superRefine((value, ctx) => {
      const problem = identifierProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

/** A number stored in a DECIMAL column with `places` decimal places: more precision would be rounded away, so it is refused. */
export const decimal = ({ min, max, places = 2 }: { min: number; max: number; places?: number }) =>
  z
    .number()
    .min(min)
    .max(max)
    .refine((n) => Number(n.toFixed(places)) === n, `must have at most ${places} decimal places`)
    .meta({ description: `A number from ${min} to ${max} with at most ${places} decimal places` });

/** A strictly positive DECIMAL value (at least one unit of its last place). */
export const positiveDecimal = ({ max, places = 2 }: { max: number; places?: number }) =>
  decimal({ min: 10 ** -places, max, places });

const MAX_BIGINT = 9_223_372_036_854_775_807n;

/** A sequence number as decimal digits, within PostgreSQL's bigint. */
export const sequenceNumber = z
  .string()
  .regex(/^\d{1,19}$/, 'must be a sequence number (decimal digits)')
  // zod runs every check even after one fails: only digits reach BigInt().
  .refine((digits) => !/^\d{1,19}$/.test(digits) || BigInt(digits) <= MAX_BIGINT, `must not exceed ${MAX_BIGINT}`);

export const pageQuery = z.object({
  cursor: z.uuid().optional().meta({ description: 'nextCursor from the previous page' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const pageOf = <T extends z.ZodType>(item: T, name?: string) => {
  const page = z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().meta({ description: 'Pass as cursor for the next page; null on the last page' }),
  });
  return name ? page.meta({ id: name }) : page;
};

/** A yes/no filter in a query string. */
export const queryFlag = z.enum(['true', 'false']);
