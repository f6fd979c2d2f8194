// The OpenAPI document, generated from the route schemas and then finished here with what the
// HTTP layer knows and the zod schemas cannot say: who may call each operation, the statuses
// every route can answer (401/403 from the auth plugin, 400/413/415 from the body parser, 414/431
// from the HTTP server, 500), problem+json as the type of every error, and no component that
// nothing uses. tests/support/contract.ts holds every response of the test suite to it.
import type { FastifyDynamicSwaggerOptions, SwaggerTransformObject } from '@fastify/swagger';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Allow } from './plugins/auth.ts';
import { wireOverride } from '../domain/shared/wire-schema.ts';

export const openApiInfo = {
  title: 'Allograft tissue traceability service',
  version: '0.1.0',
  summary: 'Placental allograft from consenting donor to patient, with a verifiable audit trail',
  description:
    'Placental tissue from consenting donors to patients: donors, consent, screening, eligibility, lots, ' +
    'processing, release, units, shipments, administration, traceability and recalls, with a verifiable audit trail.\n\n' +
    'Every operation but `/health`, `/ready`, `/openapi.json` and `/fhir/metadata` needs `Authorization: Bearer <API key>`; ' +
    '`x-allowed-roles` on an operation lists the roles that may call it.\n\n' +
    'Every error is RFC 9457 `application/problem+json` (the `Problem` schema) with a stable `type`. ' +
    'A path that does not exist answers 404, and a method a path does not support 405 with an `Allow` header, both as problem+json. ' +
    'Lists page with `limit` and `cursor`: pass the `nextCursor` of a page as `cursor` for the next one; it is null on the last page.',
  // The product is not published under an open licence (package.json: UNLICENSED).
  license: { name: 'Proprietary: all rights reserved', identifier: 'LicenseRef-Proprietary' },
};

/** The answer of GET /openapi.json: this document (its parts are OpenAPI's, not described again here). */
export const openApiDocument = z
  .looseObject({
    openapi: z.string().meta({ example: '3.1.0' }),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.record(z.string(), z.unknown())),
    components: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'OpenApiDocument', description: 'An OpenAPI 3.1 document' });

const tags = [
  { name: 'operations', description: 'Liveness, readiness and this document; no API key needed' },
  { name: 'api-keys', description: 'API keys and their roles (admin)' },
  { name: 'facilities', description: 'Tissue banks, processors, clinics, hospitals and laboratories' },
  { name: 'donors', description: 'Donors, consent, screening, medical history review, eligibility and corrections' },
  { name: 'lots', description: 'Recovered tissue: processing, deviations, preservation, QA release or rejection' },
  { name: 'units', description: 'Units (doses) with their ISBT 128 codes, labels, inventory and expiry' },
  { name: 'shipments', description: 'Units leaving a facility and their receipt at the consignee' },
  { name: 'patients', description: "A facility's patients, by medical record number only" },
  { name: 'administrations', description: 'A unit administered to a patient, and corrections as new versions' },
  { name: 'dispositions', description: 'Units discarded or returned to the tissue bank' },
  { name: 'adverse-reactions', description: 'Adverse reactions, their investigation and report due dates (21 CFR 1271.350(a))' },
  { name: 'deviation-reports', description: 'HCT/P deviations in distributed lots and their report due dates (21 CFR 1271.350(b))' },
  { name: 'trace', description: 'Traceability backward to the donor and forward to every patient' },
  { name: 'recalls', description: 'Recalls of a lot or a donor, and their reach' },
  { name: 'audit', description: 'The audit trail and its verification' },
  { name: 'exports', description: 'Streamed CSV and NDJSON files: inventory, a recall’s reach, forward traces, the audit trail' },
  { name: 'fhir', description: 'FHIR R5 (application/fhir+json): CapabilityStatement, BiologicallyDerivedProduct, its dispense and procedure, a unit’s trace as a Bundle' },
  { name: 'security', description: 'Security alerts: repeated failed authentication, signers locked out (21 CFR 11.300(d))' },
  { name: 'signatures', description: 'Electronic signatures (21 CFR Part 11): signers, signing passwords, signatures and their verification' },
];

// ---------- zod → JSON Schema ----------

const zodToJsonConfig = { override: wireOverride as (ctx: unknown) => void };
const routeTransform = createJsonSchemaTransform({ zodToJsonConfig });
const componentsTransform = createJsonSchemaTransformObject({ zodToJsonConfig });

// ---------- finishing the document ----------

type Json = Record<string, unknown>;
interface Operation extends Json {
  responses: Record<string, Json>;
  requestBody?: Json;
  parameters?: Json[];
  'x-allowed-roles'?: string[];
}

const PROBLEM_REF = '#/components/schemas/Problem';
const ALL_ROLES = ['admin', 'coordinator', 'quality', 'clinician', 'auditor'];

/** Every error status the service answers, with what it means; one shared response each. */
export const errorStatuses: Record<string, { name: string; description: string; headers?: Json }> = {
  400: { name: 'BadRequest', description: 'Malformed input (`validation_failed` with every failing field in `errors`, or `bad_request`)' },
  401: { name: 'Unauthenticated', description: 'No API key, or an unknown or revoked one (`unauthenticated`)' },
  403: { name: 'Forbidden', description: 'The role may not do this (`forbidden`, with `allowedRoles` when the route refuses the role)' },
  404: { name: 'NotFound', description: 'No such record, or one outside the facility of a clinician (`not_found`)' },
  405: { name: 'MethodNotAllowed', description: 'The path does not support this method (`method_not_allowed`); the `Allow` header lists those it does' },
  408: { name: 'RequestTimeout', description: 'The request did not arrive completely within `REQUEST_TIMEOUT_MS` (`request_timeout`)' },
  406: { name: 'NotAcceptable', description: 'The Accept header allows none of the media types the operation answers in (`not_acceptable`, listing them in `available`)' },
  409: { name: 'Conflict', description: 'A duplicate (`conflict`), a transition the current state refuses (`invalid_state` with `currentStatus`) or a gate with unmet prerequisites (`prerequisites_unmet`)' },
  412: { name: 'PreconditionFailed', description: 'A stale `If-Match` (`precondition_failed`)' },
  413: { name: 'PayloadTooLarge', description: 'The body is larger than 1 MiB (`payload_too_large`)' },
  414: { name: 'UriTooLong', description: 'The URL is over 4096 characters, or a path segment over 100 (`uri_too_long`)' },
  415: { name: 'UnsupportedMediaType', description: 'The body is not `application/json` (`unsupported_media_type`)' },
  422: { name: 'UnprocessableContent', description: 'Well-formed input that breaks a domain rule (`rule_violation`, naming the fields in `errors`)' },
  429: {
    name: 'TooManyRequests',
    description: 'Too many failed authentications from this client address or for this key prefix (`too_many_requests`): no key is checked until the `Retry-After` header\'s seconds have passed',
    headers: { 'Retry-After': { description: 'Seconds until the client may authenticate again', schema: { type: 'integer', minimum: 1 } } },
  },
  431: { name: 'RequestHeaderFieldsTooLarge', description: 'The request headers are too large' },
  500: { name: 'InternalError', description: 'An unexpected error; quote the `requestId` when reporting it (`internal_error`)' },
  503: { name: 'ServiceUnavailable', description: 'The service cannot answer now, e.g. the request could not finish within `REQUEST_TIMEOUT_MS`; nothing was recorded, retry (`service_unavailable`)' },
};

const successDescriptions: Record<string, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No content' };

/** Media types answered as files (printed labels, exports): they come with Content-Disposition (src/http/content-negotiation.ts, sendFile). */
const FILE_MEDIA_TYPES = ['image/svg+xml', 'application/pdf', 'application/zpl', 'text/csv', 'application/x-ndjson'];

function fileHeaders(operation: Operation, declared: Json | undefined): Json | undefined {
  const types = Object.keys((declared?.content as Json | undefined) ?? {});
  if (!types.some((type) => FILE_MEDIA_TYPES.includes(type))) return undefined;
  const attachment = (operation.tags as string[] | undefined)?.includes('exports');
  return {
    'Content-Disposition': {
      description: attachment
        ? 'attachment; filename="…" with the file\'s name and extension (e.g. inventory-2026-11-25.csv)'
        : `inline; filename="…" with the file's name and extension (e.g. label-W123426000042T0001A01.pdf), for ${types.filter((type) => FILE_MEDIA_TYPES.includes(type)).join(', ')}`,
      schema: { type: 'string' },
    },
  };
}

/** Statuses any operation of this kind can answer, whatever its route declares. */
function crossCuttingStatuses(method: string, operation: Operation): string[] {
  // Any request: a URL too long or not validly encoded (400), one that does not arrive in time
  // (408), headers too large, a handler past its deadline (503) — src/http/plugins/request-guards.ts.
  const statuses = ['400', '408', '414', '431', '500', '503'];
  const roles = operation['x-allowed-roles'];
  if (roles) statuses.push('401', '429', ...(roles.length < ALL_ROLES.length ? ['403'] : []));
  const takesBody = method === 'post' || method === 'put' || method === 'patch';
  if (takesBody) statuses.push('400', '413', '415');
  if (operation.parameters?.length) statuses.push('400');
  return statuses;
}

const isProblemSchema = (schema: unknown) => (schema as Json | undefined)?.$ref === PROBLEM_REF;

function finishOperation(method: string, operation: Operation) {
  const responses: Record<string, Json> = {};
  for (const status of [...new Set([...Object.keys(operation.responses), ...crossCuttingStatuses(method, operation)])].sort()) {
    const declared = operation.responses[status];
    if (Number(status) < 400) {
      const headers = fileHeaders(operation, declared);
      responses[status] = {
        ...declared,
        description: declared?.description === 'Default Response' ? (successDescriptions[status] ?? 'OK') : declared?.description,
        ...(headers ? { headers: { ...(declared?.headers as Json | undefined), ...headers } } : {}),
      };
      continue;
    }
    const shared = errorStatuses[status];
    if (!shared) throw new Error(`Status ${status} of ${operation.operationId} has no entry in errorStatuses (src/http/openapi.ts).`);
    const schema = declared && (Object.values((declared.content as Record<string, Json>) ?? {})[0]?.schema as Json | undefined);
    // The problem document is shared; a route that answers an error status with a report of its
    // own (GET /ready's 503) keeps what it declared.
    responses[status] =
      !declared || isProblemSchema(schema) ? { $ref: `#/components/responses/${shared.name}` } : { ...declared, description: shared.description };
  }
  operation.responses = responses;
}

/** Every `$ref` reachable from the value, through the components it names. */
function collectRefs(value: unknown, document: Json, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => collectRefs(item, document, found));
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string' && !found.has(child)) {
        found.add(child);
        const [, kind, name] = /^#\/components\/([^/]+)\/(.+)$/.exec(child) ?? [];
        if (kind && name) collectRefs(((document.components as Json)[kind] as Json)?.[name], document, found);
      } else collectRefs(child, document, found);
    }
  }
  return found;
}

/** Renames every `$ref` to a component; `renames` maps old names to new. */
function renameRefs(value: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => renameRefs(item, renames));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [key, key === '$ref' && typeof child === 'string' ? (renames.get(child) ?? child) : renameRefs(child, renames)]),
  );
}

/**
 * zod gives every named schema an input (`XInput`) and an output (`X`) component. Keep only the
 * ones the operations use, under the plain name when only one of the two is used, or when both
 * are used and say the same thing.
 */
function pruneComponents(document: Json) {
  const components = document.components as { schemas: Record<string, Json>; responses: Record<string, Json> };
  const used = (kind: string) => {
    const refs = collectRefs({ paths: document.paths }, document);
    return new Set([...refs].filter((r) => r.startsWith(`#/components/${kind}/`)).map((r) => r.slice(`#/components/${kind}/`.length)));
  };
  components.responses = Object.fromEntries(Object.entries(components.responses).filter(([name]) => used('responses').has(name)));
  const schemas = used('schemas');
  const renames = new Map<string, string>();
  const kept: Record<string, Json> = {};
  for (const name of [...schemas].sort()) {
    const plain = name.endsWith('Input') ? name.slice(0, -'Input'.length) : null;
    if (plain && components.schemas[plain] !== undefined && (!schemas.has(plain) || JSON.stringify(components.schemas[plain]) !== JSON.stringify(components.schemas[name]))) {
      // Both used and different: the input form keeps its own name.
      if (schemas.has(plain)) kept[name] = components.schemas[name]!;
      else {
        kept[plain] = components.schemas[name]!;
        renames.set(`#/components/schemas/${name}`, `#/components/schemas/${plain}`);
      }
      continue;
    }
    if (plain) {
      renames.set(`#/components/schemas/${name}`, `#/components/schemas/${plain}`);
      kept[plain] ??= components.schemas[plain] ?? components.schemas[name]!;
    } else kept[name] = components.schemas[name]!;
  }
  document.paths = renameRefs(document.paths, renames);
  components.schemas = Object.fromEntries(Object.entries(renameRefs(kept, renames) as Record<string, Json>).sort(([a], [b]) => a.localeCompare(b)));
}

function finishDocument(document: Json): Json {
  const components = (document.components ??= {}) as Json;
  components.responses = Object.fromEntries(
    Object.values(errorStatuses).map(({ name, description, headers }) => [
      name,
      { description, ...(headers ? { headers } : {}), content: { 'application/problem+json': { schema: { $ref: PROBLEM_REF } } } },
    ]),
  );
  for (const item of Object.values(document.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, operation] of Object.entries(item)) finishOperation(method, operation);
  }
  pruneComponents(document);
  return document;
}

export function swaggerOptions(): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: openApiInfo,
      servers: [
        { url: '/', description: 'The service that serves this document' },
        { url: 'http://localhost:3000', description: 'A local `npm start` (PORT 3000)' },
      ],
      tags,
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `atk_` and 40 URL-safe characters' } },
      },
      security: [{ apiKey: [] }],
    },
    transform: (input) => {
      const result = routeTransform(input) as { schema: Json; url: string };
      const allow = (input.route.config as { allow?: Allow } | undefined)?.allow;
      if (!result.schema.hide) {
        if (allow === 'public') result.schema.security = [];
        else if (allow) result.schema['x-allowed-roles'] = [...allow];
      }
      return result;
    },
    transformObject: (input) => finishDocument(componentsTransform(input) as Json) as ReturnType<SwaggerTransformObject>,
  };
}
