// How responses are written. Most go through zod (fastify-type-provider-zod): the handler's
// value is encoded (Dates to their strings) and checked against the schema on the way out. The
// large reads whose service already holds the answer in its wire form (a trace, checked when
// PostgreSQL built it: domain/shared/wire-schema.ts) are written by Fastify's own compiled
// serializer, fast-json-stringify, from the same schema's JSON Schema: declared fields only, no
// second pass of zod over a body that was just checked.
import { createRequire } from 'node:module';
import type fastJson from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { wireJsonSchema } from '../domain/shared/wire-schema.ts';

const wireSchemas = new WeakSet<z.ZodType>();

/**
 * A response schema whose handler returns its wire form (strings for dates and instants), to be
 * written by fast-json-stringify. Only for such handlers: a Date in a `format: date` field would
 * be written in the process's local time zone.
 */
export function wireResponse<T extends z.ZodType>(schema: T): z.ZodType<z.input<T>, z.input<T>> {
  wireSchemas.add(schema);
  // Typed as its wire form both ways: that is what the handler returns.
  return schema as unknown as z.ZodType<z.input<T>, z.input<T>>;
}

/** Compiled on the first answer, not at start: a large schema takes tens of milliseconds, and an idle service needs no compiler. */
function compiledOnFirstUse(schema: z.ZodType): (data: unknown) => string {
  let write: ((data: unknown) => string) | null = null;
  return (data) => {
    if (!write) {
      const compile = createRequire(import.meta.url)('fast-json-stringify') as typeof fastJson;
      write = compile(wireJsonSchema(schema) as unknown as Parameters<typeof fastJson>[0]);
    }
    return write(data);
  };
}

export const serializerCompiler: FastifySerializerCompiler<z.ZodType> = (route) =>
  wireSchemas.has(route.schema) ? compiledOnFirstUse(route.schema) : zodSerializerCompiler(route as never);
