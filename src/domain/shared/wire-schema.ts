// The wire form of a zod schema as JSON Schema: what travels over HTTP, dates and instants as
// their strings. The OpenAPI document shows every schema this way (http/openapi.ts), and the hot
// reads use it twice, compiled once each: to check the JSON that PostgreSQL built (Ajv) and to
// write the response (fast-json-stringify, through Fastify's serializer), so that a large trace is
// neither decoded into Dates nor encoded back by zod on every request.
import { createRequire } from 'node:module';
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import { z } from 'zod';

const ANNOTATIONS = new Set(['description', 'title', 'example', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly']);
const FREE = new Set(['unknown', 'any']);

/** A zod schema that accepts any JSON value: z.unknown() or z.any(), however optional or nullable. */
function acceptsAnything(schema: z.core.$ZodType | undefined): boolean {
  const def = schema?._zod.def as { type: string; innerType?: z.core.$ZodType; options?: z.core.$ZodType[] } | undefined;
  if (!def) return false;
  if (FREE.has(def.type)) return true;
  if (def.type === 'nullable' || def.type === 'optional') return acceptsAnything(def.innerType);
  if (def.type === 'union') return (def.options ?? []).some(acceptsAnything);
  return false;
}

interface OverrideContext {
  zodSchema: z.core.$ZodType;
  jsonSchema: Record<string, unknown>;
}

/**
 * How the document shows a zod schema, in requests and responses alike:
 * - a codec (a calendar date, an instant, a sequence number) travels as its wire form, its
 *   input side, in both directions: a response is encoded, so `expiresOn` is a `format: date`
 *   string there too, never the Date it is inside the service;
 * - a union with a branch that accepts anything accepts anything (free JSON: `{}`), rather
 *   than an `anyOf` of "anything" and something narrower.
 */
export function wireOverride({ zodSchema, jsonSchema }: OverrideContext) {
  const def = zodSchema._zod.def as { type: string; in?: z.core.$ZodType };
  if (def.type === 'pipe' && zodSchema._zod.traits.has('$ZodCodec') && def.in) {
    const { $schema: _, ...wire } = z.toJSONSchema(def.in, { target: 'draft-2020-12', io: 'input' });
    for (const key of Object.keys(jsonSchema)) if (!ANNOTATIONS.has(key)) delete jsonSchema[key];
    Object.assign(jsonSchema, wire);
  }
  if (def.type === 'date') Object.assign(jsonSchema, { type: 'string', format: 'date-time' });
  // Decided on the zod schema, not on the JSON of its branches: a branch may not be filled in yet
  // when this runs (zod flattens references in its own order).
  const anyOf = jsonSchema.anyOf as object[] | undefined;
  if (anyOf && acceptsAnything(zodSchema)) {
    delete jsonSchema.anyOf;
    for (const branch of anyOf) for (const [key, value] of Object.entries(branch)) if (ANNOTATIONS.has(key)) jsonSchema[key] ??= value;
  }
}

/** The schema's wire form (its input side) as draft 2020-12 JSON Schema, nested ids under $defs. */
export function wireJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any', override: wireOverride as (ctx: unknown) => void });
  return json;
}

let ajv: Ajv2020 | null = null;

/** Ajv with the formats the schemas use, loaded on the first check (an idle service does without it). */
function loadAjv(): Ajv2020 {
  const require = createRequire(import.meta.url);
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const addFormats = require('ajv-formats') as (ajv: Ajv2020, formats: string[]) => Ajv2020;
  return addFormats(new Ajv({ strict: false }), ['date', 'date-time', 'uuid', 'email', 'uri']);
}

/** The JSON a read built does not match its schema: a defect (the SQL and the schema drifted apart). */
export class WireSchemaMismatch extends Error {
  constructor(schemaName: string, readonly errors: unknown) {
    super(`the answer does not match ${schemaName}: ${JSON.stringify(errors).slice(0, 500)}`);
    this.name = 'WireSchemaMismatch';
  }
}

/**
 * A check of JSON in the schema's wire form, compiled on first use: returns the value, typed as
 * the schema's input, or throws WireSchemaMismatch. Checks what the JSON Schema can say (types,
 * formats, enums, required keys, no undeclared keys where the schema is strict); refinements
 * that only zod runs (an accepted range) were applied when the data was written.
 */
export function wireCheck<T extends z.ZodType>(schema: T, name: string): (value: unknown) => z.input<T> {
  let validate: ValidateFunction | null = null;
  return (value) => {
    if (!validate) {
      ajv ??= loadAjv();
      validate = ajv.compile(wireJsonSchema(schema));
    }
    if (!validate(value)) throw new WireSchemaMismatch(name, validate.errors);
    return value as z.input<T>;
  };
}
