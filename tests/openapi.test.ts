import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderOpenApi } from './support/openapi.ts';
import { parseUnitCode } from '../src/domain/units/identification.ts';

type Json = Record<string, any>;
const addFormats = ((ajvFormats.default as unknown as { default?: (ajv: Ajv2020) => Ajv2020 }).default ?? ajvFormats.default) as unknown as (ajv: Ajv2020) => Ajv2020;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const operationsOf = (doc: Json) =>
  Object.entries<Json>(doc.paths).flatMap(([path, item]) =>
    Object.entries<Json>(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, method, path, op })),
  );

/** Every schema in the document with where it is, walking components and operations. */
function schemasOf(value: unknown, where: string, out: { where: string; schema: Json }[] = []) {
  if (Array.isArray(value)) value.forEach((v, i) => schemasOf(v, `${where}/${i}`, out));
  else if (value && typeof value === 'object') {
    const obj = value as Json;
    if ('type' in obj || 'anyOf' in obj || '$ref' in obj || 'example' in obj) out.push({ where, schema: obj });
    for (const [key, child] of Object.entries(obj)) schemasOf(child, `${where}/${key}`, out);
  }
  return out;
}

describe('openapi.yaml', () => {
  let text: string;
  let doc: Json;
  beforeAll(async () => {
    text = await renderOpenApi();
    doc = parse(text);
  });

  it('is what the code generates (run npm run openapi after changing a route) [REQ-DOC-01]', async () => {
    const committed = await readFile(new URL('../openapi.yaml', import.meta.url), 'utf8');
    expect(committed).toBe(text);
  });

  it('gives every operation an id, a summary, a defined tag and declared responses', () => {
    const tags = new Set(doc.tags.map((t: Json) => t.name));
    for (const { name, op } of operationsOf(doc)) {
      expect(op.operationId, name).toBeTruthy();
      expect(op.summary, name).toBeTruthy();
      expect(op.tags?.length, name).toBeGreaterThan(0);
      for (const tag of op.tags) expect(tags.has(tag), `${name}: tag ${tag} is not described in the document's tags`).toBe(true);
      expect(Object.keys(op.responses ?? {}).length, name).toBeGreaterThan(0);
    }
  });

  it('names its servers and its licence', () => {
    expect(doc.servers.length).toBeGreaterThan(0);
    expect(doc.info.license.name).toBeTruthy();
    expect(doc.info.license.identifier ?? doc.info.license.url).toBeTruthy();
  });

  it('needs no key for /health, /ready, /openapi.json and /fhir/metadata, and says which roles may call every other operation, which can answer 401 and 429', () => {
    for (const { name, op, path } of operationsOf(doc)) {
      if (['/health', '/ready', '/openapi.json', '/fhir/metadata'].includes(path)) {
        expect(op.security, name).toEqual([]);
        expect(op.responses['401'], name).toBeUndefined();
        expect(op.responses['429'], name).toBeUndefined(); // no key is checked, so none is counted as failing
      } else {
        expect(op.security, name).toBeUndefined(); // the document's global apiKey requirement
        expect(op['x-allowed-roles']?.length, name).toBeGreaterThan(0);
        expect(op.responses['401'], name).toBeDefined();
        // Failed authentications are limited (src/http/plugins/auth-failures.ts): any keyed operation can answer 429.
        expect(op.responses['429'], name).toMatchObject({ $ref: '#/components/responses/TooManyRequests' });
      }
    }
  });

  it('documents every error as application/problem+json, and the statuses every route can answer', () => {
    const responses = doc.components.responses;
    const resolve = (r: Json) => (r.$ref ? responses[r.$ref.split('/').pop()] : r);
    for (const { name, method, op } of operationsOf(doc)) {
      for (const [status, response] of Object.entries<Json>(op.responses)) {
        if (Number(status) < 400 || (name === 'GET /ready' && status === '503')) continue; // /ready's 503 is its readiness report
        expect(Object.keys(resolve(response).content), `${name} ${status}`).toEqual(['application/problem+json']);
      }
      for (const status of ['414', '431', '500']) expect(op.responses[status], `${name} ${status}`).toBeDefined();
      if (method === 'post') for (const status of ['400', '413', '415']) expect(op.responses[status], `${name} ${status}`).toBeDefined();
    }
  });

  it('shows calendar dates as format date and instants as format date-time, in responses too', () => {
    const seen = { date: 0, dateTime: 0 };
    for (const { where, schema } of schemasOf(doc.components.schemas, '#/components/schemas')) {
      for (const [property, value] of Object.entries<Json>(schema.properties ?? {})) {
        const branches: Json[] = value.anyOf ?? [value];
        const formats = branches.map((b) => b.format).filter(Boolean);
        if (/^(expiresOn|reportDueOn|deliveryDate|asOf|deliveredFrom|deliveredTo|expiringBefore)$/.test(property)) {
          expect(formats, `${where}/${property}`).toEqual(['date']);
          seen.date++;
        }
        if (/At$/.test(property)) {
          expect(formats, `${where}/${property}`).toEqual(['date-time']);
          seen.dateTime++;
        }
      }
    }
    expect(seen.date).toBeGreaterThan(10);
    expect(seen.dateTime).toBeGreaterThan(50);
  });

  it('describes free JSON as any value, never as anyOf anything and something narrower, and sequence numbers as digit strings', () => {
    for (const { where, schema } of schemasOf(doc, '#')) {
      for (const branch of schema.anyOf ?? []) expect(Object.keys(branch).length, `${where}: anyOf with an empty branch`).toBeGreaterThan(0);
    }
    expect(doc.components.schemas.AuditEvent.properties.seq).toMatchObject({ type: 'string', pattern: '^\\d+$' });
  });

  it('states every closed list as an enum, in traces and query filters too', () => {
    // Members that hold one value of a closed list wherever they appear; free-text outcomes
    // (what an investigation found) and a screening test's method are not closed lists.
    const closed = /^(status|unitStatus|statusBefore|kind|decision|result|severity|tissueType|deliveryMode|reasonCode|correctionReasonCode|scope|role|direction|eligibility|coreRequirement)$/;
    const open: string[] = [];
    let checked = 0;
    const isEnum = (s: Json) => [s, s.items ?? {}, ...(s.anyOf ?? [])].some((b: Json) => b.enum || b.$ref || b.const || b.items?.enum || b.items?.$ref);
    for (const { where, schema } of schemasOf(doc, '#')) {
      for (const [name, property] of Object.entries<Json>(schema.properties ?? {})) {
        if (!closed.test(name) || where.includes('/Problem') || where.endsWith('/NewLot')) continue; // Problem.status is the HTTP status; NewLot.tissueType is a rule (fetal tissue meets its reason)
        checked++;
        if (!isEnum(property)) open.push(`${where}/properties/${name}`);
      }
    }
    for (const { name, op } of operationsOf(doc)) {
      for (const parameter of op.parameters ?? []) {
        if (parameter.in !== 'query' || !closed.test(parameter.name)) continue;
        checked++;
        if (!isEnum(parameter.schema)) open.push(`${name} query ${parameter.name}`);
      }
    }
    expect(open).toEqual([]);
    expect(checked).toBeGreaterThan(50);
    const trace = doc.components.schemas.UnitTrace.properties;
    expect(trace.unit.properties.status.enum).toContain('administered');
    expect(trace.dispositions.items.properties.reasonCode.enum).toContain('returned');
  });

  it('states the rules JSON Schema can express: items that may not repeat, fields a value makes required', () => {
    const schemas = doc.components.schemas;
    expect(schemas.NewShipment.properties.unitCodes.uniqueItems).toBe(true);
    expect(schemas.NewConsent.properties.scope.uniqueItems).toBe(true);
    for (const name of ['NewAdministration', 'AdministrationCorrection']) {
      expect(schemas[name], name).toMatchObject({ if: { properties: { indication: { const: 'other' } } }, then: { required: ['indicationDetail'] } });
    }
    expect(schemas.NewApiKey).toMatchObject({ if: { properties: { role: { const: 'clinician' } } }, then: { required: ['facilityId'] } });
  });

  it('has no component that nothing refers to', () => {
    const refs = new Set([...text.matchAll(/\$ref: "?#\/components\/(\w+)\/(\w+)/g)].map((m) => `${m[1]}/${m[2]}`));
    for (const kind of ['schemas', 'responses']) {
      for (const name of Object.keys(doc.components[kind])) expect(refs.has(`${kind}/${name}`), `components/${kind}/${name} is unused`).toBe(true);
    }
  });

  it('quotes every example string a YAML 1.1 reader would take for a date', () => {
    const unquoted = text.split('\n').filter((line) => /example: \d{4}-\d\d-\d\d/.test(line));
    expect(unquoted).toEqual([]);
  });

  it('gives examples that are valid against their schemas and in the domain', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    let checked = 0;
    for (const { where, schema } of schemasOf(doc, '#')) {
      if (!('example' in schema) || schema.$ref) continue;
      const { example, ...rest } = schema;
      expect(ajv.validate(rest, example), `${where}: example ${JSON.stringify(example)} ${ajv.errorsText()}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
    const unitCodeExamples = schemasOf(doc, '#').filter(({ schema }) => /Unit code as scanned/.test(schema.description ?? '') && schema.example);
    expect(unitCodeExamples.length).toBeGreaterThan(0);
    for (const { where, schema } of unitCodeExamples) expect(parseUnitCode(schema.example), where).toMatchObject({ ok: true });
  });
});
