// Requests derived from the served OpenAPI document: every operation with its path, query and
// body schemas, a valid value for each field (ids of records that exist, dates in order), and a
// way to put a hostile value in place of any one field. Used by the fuzz test and the probe.
import type { TestApp } from './test-app.ts';
import { TEST_SIGNING_PASSWORD } from './signing.ts';

type Schema = Record<string, any>;

export interface Operation {
  method: string;
  path: string;
  operationId: string;
  pathParams: string[];
  query: Schema | null;
  body: Schema | null;
}

export interface Field {
  location: 'path' | 'query' | 'body';
  name: string;
}

export interface RequestSpec {
  method: string;
  url: string;
  body?: unknown;
}

/** Records that exist, for ids in paths and bodies. */
export interface World {
  ids: Record<string, string>;
  unitCodes: string[];
}

/** Every operation of the document, with its schemas resolved. */
export function operationsOf(doc: Schema): Operation[] {
  const resolve = (schema: Schema | undefined): Schema | null => {
    if (!schema) return null;
    if (schema.$ref) return resolve(doc.components.schemas[schema.$ref.split('/').pop()]);
    return schema;
  };
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<Schema>(doc.paths)) {
    for (const [method, op] of Object.entries<Schema>(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params: Schema[] = op.parameters ?? [];
      const queryParams = params.filter((p) => p.in === 'query');
      const query = queryParams.length
        ? { type: 'object', properties: Object.fromEntries(queryParams.map((p) => [p.name, resolve(p.schema)])), required: queryParams.filter((p) => p.required).map((p) => p.name) }
        : null;
      ops.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId ?? `${method} ${path}`,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query,
        body: resolve(op.requestBody?.content?.['application/json']?.schema),
      });
    }
  }
  return ops;
}

/** The fields of an operation that a hostile value can replace. */
export function fieldsOf(op: Operation): Field[] {
  return [
    ...op.pathParams.map((name) => ({ location: 'path' as const, name })),
    ...Object.keys(op.query?.properties ?? {}).map((name) => ({ location: 'query' as const, name })),
    ...Object.keys(variantOf(op.body)?.properties ?? {}).map((name) => ({ location: 'body' as const, name })),
  ];
}

const variantOf = (schema: Schema | null): Schema | null => (schema?.oneOf ?? schema?.anyOf)?.[0] ?? schema;

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

/** The record a path parameter names, by the collection before it. */
function pathId(path: string, name: string, world: World): string {
  if (name === 'code') return world.unitCodes[0] ?? 'W123426000001T0001A01';
  if (name !== 'id') return world.ids[name] ?? '00000000-0000-4000-8000-000000000000';
  const collection = path.split('/')[1]!;
  const byCollection: Record<string, string> = {
    donors: 'donorId', lots: 'lotId', shipments: 'shipmentId', administrations: 'administrationId', patients: 'patientId',
    'adverse-reactions': 'adverseReactionId', recalls: 'recallId', facilities: 'facilityId', 'api-keys': 'apiKeyId',
    signers: 'signerId', signatures: 'signatureId',
  };
  return world.ids[byCollection[collection] ?? ''] ?? '00000000-0000-4000-8000-000000000000';
}

/** A valid value for a field of the given schema, named `name`, pointing at records of the world. */
export function validValue(schema: Schema | null | undefined, name: string, world: World): unknown {
  const s = variantOf(schema ?? null) ?? {};
  if (s.default !== undefined) return s.default;
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum.includes('scheduled_caesarean') ? 'scheduled_caesarean' : s.enum.includes('clinical_use') ? 'clinical_use' : s.enum[0];
  if (s.example !== undefined) return s.example;
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries<Schema>(s.properties ?? {})) out[key] = validValue(child, key, world);
      return out;
    }
    case 'array':
      return /unitCodes/.test(name) ? world.unitCodes.slice(0, 1) : [validValue(s.items, name.replace(/s$/, ''), world)];
    case 'integer':
    case 'number':
      return name === 'gestationalAgeWeeks' ? 39 : name === 'limit' ? 10 : Math.max(s.minimum ?? 1, Math.min(s.maximum ?? 10, 10));
    case 'boolean':
      return true;
    default:
      return stringFor(s, name, world);
  }
}

function stringFor(s: Schema, name: string, world: World): string {
  if (s.format === 'uuid') {
    const byName: Record<string, string> = {
      bankFacilityId: 'bankId', fromFacilityId: 'bankId', recoveryFacilityId: 'hospitalId', deliveryFacilityId: 'hospitalId', toFacilityId: 'clinicId', facilityId: 'clinicId',
    };
    return world.ids[byName[name] ?? name] ?? world.ids.facilityId ?? '00000000-0000-4000-8000-000000000000';
  }
  if (s.format === 'date-time') return (/expires/i.test(name) ? new Date(Date.now() + 365 * 86_400_000) : hoursAgo(1)).toISOString();
  if (s.format === 'date') return (/expires|Before/i.test(name) ? new Date(Date.now() + 365 * 86_400_000) : hoursAgo(48)).toISOString().slice(0, 10);
  if (/code$/i.test(name) && /unit/i.test(name)) return world.unitCodes[0] ?? 'W123426000001T0001A01';
  if (name === 'code') return world.unitCodes[0] ?? 'W123426000001T0001A01';
  if (name === 'donorCode') return `FZ-${Math.random().toString(36).slice(2, 10).toUpperCase()}`;
  if (name === 'laboratoryId') return '05D0123456';
  if (name === 'testCode') return 'HIV_1_2_AB';
  if (name === 'tissueType') return 'amniotic_membrane';
  if (name === 'productCode') return 'T0001';
  // The admin's own signing password: a valid signature signs (a new password equal to it is refused as reused).
  if (/password/i.test(name)) return TEST_SIGNING_PASSWORD;
  if (s.pattern) return '';
  return `valid ${name}`.slice(0, Math.max(1, s.maxLength ?? 40));
}

/**
 * Percent-encodes any string as a hostile client would send it: a lone surrogate as the three
 * bytes it would take in UTF-8 (WTF-8), where encodeURIComponent throws and URLSearchParams
 * quietly substitutes U+FFFD.
 */
export function encodeAny(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    const next = value.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(value.slice(i, i + 2));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(value[i]!);
    }
  }
  return out;
}

/** Any value as text for a path or query string: a string as it is, anything else as its JSON (an object whose own toString is not a function, `{"toString": null}`, has no String()). */
export const textOf = (value: unknown): string => (typeof value === 'string' ? value : String(JSON.stringify(value)));

/** A request for the operation: valid everywhere but in `replace`, if given. */
export function requestFor(op: Operation, world: World, replace?: { field: Field; value: unknown }): RequestSpec {
  let path = op.path;
  for (const name of op.pathParams) {
    const value = replace?.field.location === 'path' && replace.field.name === name ? textOf(replace.value) : pathId(op.path, name, world);
    path = path.replace(`{${name}}`, encodeAny(value));
  }
  const query: string[] = [];
  for (const [name, schema] of Object.entries<Schema>(op.query?.properties ?? {})) {
    if (replace?.field.location === 'query' && replace.field.name === name) {
      const value = replace.value;
      for (const v of Array.isArray(value) ? value : [value]) query.push(`${name}=${encodeAny(textOf(v))}`);
    } else if ((op.query?.required ?? []).includes(name)) {
      query.push(`${name}=${encodeAny(String(validValue(schema, name, world)))}`);
    }
  }
  const qs = query.join('&');
  const spec: RequestSpec = { method: op.method, url: qs ? `${path}?${qs}` : path };
  if (op.method !== 'GET' && op.method !== 'DELETE') {
    const body = (op.body ? validValue(op.body, 'body', world) : {}) as Record<string, unknown>;
    if (replace?.field.location === 'body') body[replace.field.name] = replace.value;
    spec.body = body;
  }
  return spec;
}

/** Sends a request as the admin (who may call every route), body as JSON text so that any value survives. */
export function send(t: TestApp, spec: RequestSpec, key = t.adminKey) {
  return t.app.inject({
    method: spec.method as 'GET',
    url: spec.url,
    headers: { authorization: `Bearer ${key}`, ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(spec.body === undefined ? {} : { payload: JSON.stringify(spec.body) }),
  });
}
