// Every FHIR resource the service serves, checked against the FHIR R5 specification itself as HL7
// publishes it (the hl7.fhir.r5.core 5.0.0 package, a development dependency; nothing fetched):
// - the R5 JSON schema (openapi/fhir.schema.json): element names, types and shapes, primitive
//   formats; no element the resource does not define;
// - the resource's StructureDefinition: every element of minimum cardinality 1 is present where its
//   parent is;
// - required bindings to code systems the package holds in full: the code is one of theirs.
// fhir-rules.ts adds what a receiving system relies on beyond one resource (references resolving
// inside a Bundle, absolute code systems).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
const PACKAGE = dirname(require.resolve('hl7.fhir.r5.core/package.json'));
const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/5.0';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const readJson = (file: string) => JSON.parse(readFileSync(join(PACKAGE, file), 'utf8')) as JsonObject;

let ajv: Ajv | null = null;
const validators = new Map<string, ValidateFunction>();

/** The R5 JSON schema's validator for one resource type, compiled on first use (only the definitions it reaches). */
function schemaValidator(resourceType: string): ValidateFunction {
  if (!ajv) {
    // unicodeRegExp off: the published schema's decimal pattern has a stray "}" that only a
    // non-unicode expression accepts (as a literal, in the exponent, which FHIR JSON never needs here).
    ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, unicodeRegExp: false });
    ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
    const schema = readJson('openapi/fhir.schema.json');
    delete schema.id;
    ajv.addSchema({ ...schema, $id: SCHEMA_ID });
  }
  let validate = validators.get(resourceType);
  if (!validate) {
    validate = ajv.getSchema(`${SCHEMA_ID}#/definitions/${resourceType}`);
    if (!validate) throw new Error(`The R5 JSON schema defines no ${resourceType}`);
    validators.set(resourceType, validate);
  }
  return validate;
}

interface ElementDefinition {
  path: string;
  min: number;
  max: string;
  type?: { code: string }[];
  binding?: { strength: string; valueSet?: string };
}

const definitions = new Map<string, ElementDefinition[]>();

function elementsOf(resourceType: string): ElementDefinition[] {
  let elements = definitions.get(resourceType);
  if (!elements) {
    const definition = readJson(`StructureDefinition-${resourceType}.json`) as unknown as { snapshot: { element: ElementDefinition[] } };
    elements = definition.snapshot.element;
    definitions.set(resourceType, elements);
  }
  return elements;
}

const codeSystems = new Map<string, Set<string> | null>();

/** The codes of a complete code system the package holds, or null. */
function codesOf(system: string): Set<string> | null {
  if (codeSystems.has(system)) return codeSystems.get(system)!;
  let codes: Set<string> | null = null;
  const name = system.replace(/^http:\/\/hl7\.org\/fhir\//, '');
  if (!name.includes('/')) {
    try {
      const cs = readJson(`CodeSystem-${name}.json`) as unknown as { url: string; content: string; concept?: Concept[] };
      if (cs.url === system && cs.content === 'complete') codes = new Set(flatten(cs.concept ?? []));
    } catch {
      codes = null;
    }
  }
  codeSystems.set(system, codes);
  return codes;
}

interface Concept {
  code: string;
  concept?: Concept[];
}
const flatten = (concepts: Concept[]): string[] => concepts.flatMap((c) => [c.code, ...flatten(c.concept ?? [])]);

/** The codes a required value set allows, when every system it includes is held in full; otherwise null (not checked). */
function valueSetCodes(canonical: string): Set<string> | null {
  const [url] = canonical.split('|') as [string];
  const name = url.replace(/^http:\/\/hl7\.org\/fhir\/ValueSet\//, '');
  if (name === url) return null;
  let valueSet: { compose?: { include?: { system?: string; concept?: { code: string }[]; filter?: unknown[]; valueSet?: string[] }[]; exclude?: unknown[] } };
  try {
    valueSet = readJson(`ValueSet-${name}.json`) as never;
  } catch {
    return null;
  }
  const include = valueSet.compose?.include ?? [];
  if (!include.length || valueSet.compose?.exclude) return null;
  const codes = new Set<string>();
  for (const part of include) {
    if (!part.system || part.filter || part.valueSet) return null;
    if (part.concept) part.concept.forEach((c) => codes.add(c.code));
    else {
      const all = codesOf(part.system);
      if (!all) return null;
      all.forEach((c) => codes.add(c));
    }
  }
  return codes;
}

/** Values at an element path below `node` (path without the resource type), stepping into arrays. */
function valuesAt(node: Json, path: string[]): Json[] {
  if (node === null || typeof node !== 'object') return [];
  if (Array.isArray(node)) return node.flatMap((item) => valuesAt(item, path));
  if (!path.length) return [node];
  const [head, ...rest] = path as [string, ...string[]];
  const keys = head.endsWith('[x]') ? Object.keys(node).filter((k) => k.startsWith(head.slice(0, -3)) && /^[A-Z]/.test(k.slice(head.length - 3))) : [head];
  return keys.flatMap((k) => {
    const child = node[k];
    if (child === undefined) return [];
    if (!rest.length) return Array.isArray(child) ? child : [child];
    return valuesAt(child, rest);
  });
}

/** Present at `path` in `parent`: the element itself, or (for a primitive) its extension twin `_name`. */
function present(parent: JsonObject, name: string): boolean {
  if (name.endsWith('[x]')) {
    const prefix = name.slice(0, -3);
    return Object.keys(parent).some((k) => k.startsWith(prefix) && /^[A-Z]/.test(k.slice(prefix.length)));
  }
  return parent[name] !== undefined || parent[`_${name}`] !== undefined;
}

/** Problems with one resource against the R5 specification; a Bundle's entries are left to the caller (fhir-rules.ts checks each). */
export function r5Problems(resource: JsonObject): string[] {
  const resourceType = String(resource.resourceType);
  const where = `${resourceType}/${String(resource.id ?? '?')}`;
  const problems: string[] = [];

  // Entries are resources of their own: the Bundle is checked without them, then each one.
  const shell: JsonObject =
    resourceType === 'Bundle' && Array.isArray(resource.entry)
      ? { ...resource, entry: resource.entry.map((e) => ({ ...(e as JsonObject), resource: { resourceType: 'Basic', code: { text: 'checked apart' } } })) }
      : resource;
  const validate = schemaValidator(resourceType);
  if (!validate(shell)) {
    for (const e of validate.errors ?? []) {
      // oneOf over ResourceList reports every other resource type: only the real message counts.
      if (e.keyword === 'oneOf' || e.keyword === 'const' || e.keyword === '$ref') continue;
      problems.push(`${where}${e.instancePath}: ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
    }
  }

  for (const element of elementsOf(resourceType)) {
    const steps = element.path.split('.').slice(1);
    if (!steps.length) continue;
    const name = steps.at(-1)!;
    const parents = steps.length === 1 ? [resource] : valuesAt(resource, steps.slice(0, -1));
    for (const parent of parents) {
      if (parent === null || typeof parent !== 'object' || Array.isArray(parent)) continue;
      if (element.min >= 1 && !present(parent, name)) problems.push(`${where}: ${element.path} is required (${element.min}..${element.max})`);
      if (element.binding?.strength === 'required' && element.binding.valueSet && element.type?.some((t) => t.code === 'code')) {
        const allowed = valueSetCodes(element.binding.valueSet);
        const values = parent[name];
        for (const value of Array.isArray(values) ? values : values === undefined ? [] : [values]) {
          if (allowed && !allowed.has(String(value))) problems.push(`${where}: ${element.path} "${String(value)}" is not in ${element.binding.valueSet}`);
        }
      }
    }
  }

  return problems;
}
