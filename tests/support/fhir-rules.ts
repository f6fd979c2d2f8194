// The FHIR R5 rules a receiving system relies on, checked on every resource the service serves:
// cardinality of required elements, required bindings, well-formed primitives (id, dateTime,
// uri), no empty or null elements, code systems and identifier systems as absolute URIs, and
// references that resolve inside the Bundle. Taken from the R5 specification's resource pages;
// on top of these, fhir-r5.ts holds every resource to the R5 JSON schema, StructureDefinition
// cardinalities and required bindings as HL7 publishes them.
import { r5Problems } from './fhir-r5.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Resource = { resourceType: string; id?: string; [key: string]: Json | undefined };

const ID = /^[A-Za-z0-9\-.]{1,64}$/;
// R5 dateTime: a year, year-month, date, or date-time with seconds and a time zone.
const DATE_TIME = /^([0-9]{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;
const INSTANT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$/;
const ABSOLUTE_URI = /^(https?:\/\/[^\s]+|urn:(uuid|oid):[^\s]+)$/;

/** Required elements (1..1 or 1..*) of each resource type, as dotted paths; `[]` steps into every item. */
const REQUIRED: Record<string, string[]> = {
  CapabilityStatement: ['status', 'date', 'kind', 'fhirVersion', 'format', 'rest[].mode', 'rest[].resource[].type', 'rest[].resource[].operation[].name', 'rest[].resource[].operation[].definition'],
  BiologicallyDerivedProduct: [],
  BiologicallyDerivedProductDispense: ['status', 'product', 'patient', 'performer[].actor'],
  Procedure: ['status', 'subject', 'performer[].actor', 'used[].reference'],
  Patient: [],
  Organization: [],
  Bundle: ['type'],
};

/** Required bindings: the element's code must be one of these. */
const BINDINGS: Record<string, Record<string, string[]>> = {
  CapabilityStatement: { status: ['draft', 'active', 'retired', 'unknown'], kind: ['instance', 'capability', 'requirements'], fhirVersion: ['5.0.0'] },
  BiologicallyDerivedProductDispense: { status: ['preparation', 'in-progress', 'allocated', 'issued', 'unfulfilled', 'returned', 'entered-in-error', 'unknown'] },
  Procedure: { status: ['preparation', 'in-progress', 'not-done', 'on-hold', 'stopped', 'completed', 'entered-in-error', 'unknown'] },
  Bundle: { type: ['document', 'message', 'transaction', 'transaction-response', 'batch', 'batch-response', 'history', 'searchset', 'collection', 'subscription-notification'] },
};

/** R5 BiologicallyDerivedProduct codings whose code system is fixed. */
const CODINGS: Record<string, Record<string, { system: string; codes: string[] }>> = {
  BiologicallyDerivedProduct: {
    productCategory: { system: 'http://hl7.org/fhir/product-category', codes: ['organ', 'tissue', 'fluid', 'cells', 'biologicalAgent'] },
    productStatus: { system: 'http://hl7.org/fhir/biologicallyderived-product-status', codes: ['available', 'unavailable'] },
  },
};

function values(node: Json | undefined, path: string[]): (Json | undefined)[] {
  if (path.length === 0) return [node];
  const [head, ...rest] = path as [string, ...string[]];
  const many = head.endsWith('[]');
  const key = many ? head.slice(0, -2) : head;
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return [];
  const child = node[key];
  if (many) return Array.isArray(child) ? child.flatMap((item) => values(item, rest)) : child === undefined ? [] : [undefined];
  return child === undefined ? [undefined] : values(child, rest);
}

/** Problems with one resource alone; references are checked by bundleProblems. */
export function resourceProblems(resource: Resource): string[] {
  const problems: string[] = [];
  const where = `${resource.resourceType}/${resource.id ?? '?'}`;
  if (!REQUIRED[resource.resourceType]) problems.push(`${where}: unexpected resource type`);
  if (resource.id !== undefined && !ID.test(resource.id)) problems.push(`${where}: id is not a FHIR id`);
  for (const path of REQUIRED[resource.resourceType] ?? []) {
    const found = values(resource as Json, path.split('.'));
    // A required element inside an optional parent is only required when the parent is there.
    if (!path.includes('[]') ? found[0] === undefined : found.some((v) => v === undefined)) problems.push(`${where}: ${path} is required`);
  }
  for (const [path, codes] of Object.entries(BINDINGS[resource.resourceType] ?? {})) {
    const value = resource[path];
    if (value !== undefined && !codes.includes(value as string)) problems.push(`${where}: ${path} "${String(value)}" is not in its required value set`);
  }
  for (const [path, { system, codes }] of Object.entries(CODINGS[resource.resourceType] ?? {})) {
    const coding = resource[path] as { system?: string; code?: string } | undefined;
    if (coding && (coding.system !== system || !codes.includes(coding.code ?? ''))) problems.push(`${where}: ${path} must be a code of ${system}`);
  }
  walk(resource as Json, where, problems);
  problems.push(...r5Problems(resource as never));
  return problems;
}

/** Generic rules: no empty or null element, Coding and Identifier systems absolute, dates well formed. */
function walk(node: Json, path: string, problems: string[]) {
  if (node === null) problems.push(`${path}: null is not allowed in FHIR JSON`);
  else if (Array.isArray(node)) {
    if (node.length === 0) problems.push(`${path}: empty arrays are not allowed`);
    node.forEach((item, i) => walk(item, `${path}[${i}]`, problems));
  } else if (typeof node === 'string') {
    if (node.trim() === '') problems.push(`${path}: empty strings are not allowed`);
  } else if (typeof node === 'object') {
    if (Object.keys(node).length === 0) problems.push(`${path}: empty objects are not allowed`);
    for (const [key, value] of Object.entries(node)) {
      const at = `${path}.${key}`;
      if (key === 'system' && typeof value === 'string' && !ABSOLUTE_URI.test(value)) problems.push(`${at}: "${value}" is not an absolute URI`);
      if (/(DateTime|^date|^expirationDate|^whenHandedOver|^recorded|^start|^end)$/.test(key) && typeof value === 'string' && !DATE_TIME.test(value)) {
        problems.push(`${at}: "${value}" is not a FHIR dateTime`);
      }
      if (key === 'timestamp' && typeof value === 'string' && !INSTANT.test(value)) problems.push(`${at}: "${value}" is not a FHIR instant`);
      if (key === 'coding' && Array.isArray(value)) {
        for (const coding of value as { system?: string; code?: string }[]) if (!coding.system || !coding.code) problems.push(`${at}: a Coding needs a system and a code here`);
      }
      if (key === 'identifier' && Array.isArray(value)) {
        for (const identifier of value as { system?: string; value?: string }[]) if (!identifier.system || !identifier.value) problems.push(`${at}: an Identifier needs a system and a value`);
      }
      walk(value, at, problems);
    }
  }
}

function references(node: Json, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => references(item, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'reference' && typeof value === 'string') found.push(value);
      else references(value, found);
    }
  }
  return found;
}

/** Every rule for every entry, plus: fullUrl matches the resource, and every reference resolves to an entry. */
export function bundleProblems(bundle: Resource & { entry?: { fullUrl?: string; resource: Resource }[] }): string[] {
  const problems = resourceProblems(bundle);
  const entries = bundle.entry ?? [];
  const fullUrls = new Set(entries.map((e) => e.fullUrl));
  for (const entry of entries) {
    const { resource } = entry;
    problems.push(...resourceProblems(resource));
    if (!entry.fullUrl?.endsWith(`/${resource.resourceType}/${resource.id}`)) problems.push(`entry ${entry.fullUrl}: fullUrl does not name ${resource.resourceType}/${resource.id}`);
    const base = entry.fullUrl!.slice(0, -`${resource.resourceType}/${resource.id}`.length);
    for (const ref of references(resource as Json)) {
      if (!fullUrls.has(/^https?:/.test(ref) ? ref : `${base}${ref}`)) problems.push(`${resource.resourceType}/${resource.id}: reference ${ref} does not resolve inside the bundle`);
    }
  }
  const keys = entries.map((e) => `${e.resource.resourceType}/${e.resource.id}`);
  if (new Set(keys).size !== keys.length) problems.push('the bundle holds a resource twice');
  return problems;
}
