// Building blocks for the zod schemas of every capability. A schema is the single source of
// validation, TypeScript type and OpenAPI document; codecs turn wire strings into Dates and back.
import { z } from 'zod';
import { calendarDay } from './dates.ts';

/** An instant with its offset, e.g. 2026-11-24T08:30:00Z; a Date inside the service. */
export const timestamp = z
  .codec(z.iso.datetime({ offset: true }), z.date(), {
    decode: (text) => new Date(text),
    encode: (date) => date.toISOString(),
  })
  .meta({ description: 'ISO 8601 date-time with offset', example: '2026-11-24T08:30:00Z' });

/** A calendar date, e.g. 2026-11-24; a Date at UTC midnight inside the service. */
export const calendarDate = z
  .codec(z.iso.date(), z.date(), {
    decode: (text) => new Date(`${text}T00:00:00.000Z`),
    encode: calendarDay,
  })
  .meta({ description: 'ISO 8601 calendar date', example: '2026-11-24' });

export const id = z.uuid().meta({ description: 'Record id (UUID)' });
export const idParams = z.object({ id });

/** Free text that must say something. */
export const text = (max = 500) => z.string().trim().min(1).max(max);

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
