// The contract test: every response the test suite receives is checked against the OpenAPI
// document the app serves at /openapi.json — the status is declared for the operation, the
// content type is one the document names for it (application/problem+json for errors), and the
// body matches its schema (Ajv, JSON Schema 2020-12, with formats). A mismatch fails the test
// with what to fix. test-app.ts routes every app.inject() of every test through it.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';

// ajv-formats is CommonJS: under ESM its function arrives as the default export's default.
type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((ajvFormats.default as unknown as { default?: AddFormats }).default ?? ajvFormats.default) as unknown as AddFormats;

type Json = Record<string, unknown>;

interface Operation {
  operationId: string;
  method: string;
  template: string;
  pattern: RegExp;
  literalSegments: number;
  responses: Record<string, Json>;
}

export interface ObservedResponse {
  method: string;
  url: string;
  statusCode: number;
  contentType: string | undefined;
  body: string;
}

const ROUTES_DIR = new URL('../../src/http/routes/', import.meta.url);
const APP_FILE = new URL('../../src/app.ts', import.meta.url);

/** The source file that declares an operation, to name in a failure message. */
function routeFileOf(operationId: string): string {
  const files = readdirSync(ROUTES_DIR).map((name) => new URL(name, ROUTES_DIR));
  for (const file of [...files, APP_FILE]) {
    if (readFileSync(file, 'utf8').includes(`operationId: '${operationId}'`)) return file.pathname.replace(/^.*?\/(src\/)/, '$1');
  }
  return 'src/http/routes/…';
}

const mediaOf = (contentType: string | undefined) => contentType?.split(';')[0]!.trim().toLowerCase();

/** `#/components/schemas/X` as an absolute reference into the one schema that holds them all. */
function absoluteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(absoluteRefs);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      key === '$ref' && typeof child === 'string' ? child.replace('#/components/schemas/', 'components#/$defs/') : absoluteRefs(child),
    ]),
  );
}

export class Contract {
  private readonly ajv: Ajv2020;
  private readonly operations: Operation[];
  private readonly validators = new Map<string, ValidateFunction>();
  /** `operationId status` of every response checked, for the run's summary. */
  readonly exercised = new Set<string>();
  checked = 0;

  constructor(readonly document: Json) {
    // strict: a schema the document carries that Ajv does not understand is an error, not ignored.
    this.ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    // OpenAPI 3.1's own annotation keywords inside schemas.
    for (const keyword of ['example', 'discriminator', 'xml', 'externalDocs']) this.ajv.addKeyword(keyword);
    const components = (document.components as { schemas?: Json; responses?: Json }) ?? {};
    this.ajv.addSchema({ $id: 'components', $defs: absoluteRefs(components.schemas ?? {}) as Json });
    this.operations = Object.entries(document.paths as Record<string, Record<string, Json>>).flatMap(([template, item]) =>
      Object.entries(item).map(([method, op]) => {
        const segments = template.split('/');
        const pattern = new RegExp(`^${segments.map((s) => (/^\{.+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}$`);
        const responses = Object.fromEntries(
          Object.entries(op.responses as Record<string, Json>).map(([status, response]) => [status, this.resolveResponse(response)]),
        );
        return { operationId: op.operationId as string, method: method.toUpperCase(), template, pattern, literalSegments: segments.filter((s) => !s.startsWith('{')).length, responses };
      }),
    );
  }

  /** Every (operation, status) pair the document declares. */
  get declared(): string[] {
    return this.operations.flatMap((op) => Object.keys(op.responses).map((status) => `${op.operationId} ${status}`));
  }

  private resolveResponse(response: Json): Json {
    const ref = response.$ref as string | undefined;
    if (!ref) return response;
    const name = ref.replace('#/components/responses/', '');
    const shared = (this.document.components as { responses?: Record<string, Json> }).responses?.[name];
    if (!shared) throw new Error(`The document refers to ${ref}, which it does not define.`);
    return shared;
  }

  private operationFor(method: string, path: string): { operation: Operation | null; pathKnown: boolean } {
    const candidates = this.operations.filter((op) => op.pattern.test(path)).sort((a, b) => b.literalSegments - a.literalSegments);
    const lookup = method === 'HEAD' ? 'GET' : method;
    const best = candidates.find((op) => op.method === lookup && candidates.every((other) => other.literalSegments <= op.literalSegments || other.method !== lookup));
    return { operation: best ?? null, pathKnown: candidates.length > 0 };
  }

  private validator(key: string, schema: Json): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(absoluteRefs(schema) as Json);
      this.validators.set(key, validate);
    }
    return validate;
  }

  /** What is wrong with the response, as sentences saying what to fix; empty when it keeps the contract. */
  problems(observed: ObservedResponse): string[] {
    const path = observed.url.split('?')[0]!;
    if (path.startsWith('/docs')) return []; // the Swagger UI pages, outside the API
    this.checked++;
    const { method, statusCode } = observed;
    const what = `${method} ${observed.url} answered ${statusCode}`;
    const media = mediaOf(observed.contentType);
    const { operation, pathKnown } = this.operationFor(method, path);

    if (!operation) {
      // No operation: only "no such route" (404) or "no such method here" (405) are possible, as problems.
      const expected = pathKnown ? [404, 405] : [404];
      const out: string[] = [];
      if (!expected.includes(statusCode)) {
        out.push(`${what}, but the document has no operation ${method} for this path: the service should answer ${expected.join(' or ')} problem+json here, or the route is missing from the document (is it hidden?).`);
      }
      return out.concat(this.bodyProblems(what, observed, media, { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } }, `the no-route problem`));
    }

    const where = `operation ${operation.operationId} (${operation.method} ${operation.template}, ${routeFileOf(operation.operationId)})`;
    const response = operation.responses[String(statusCode)] ?? operation.responses[`${String(statusCode)[0]}XX`] ?? operation.responses.default;
    if (!response) {
      const declared = Object.keys(operation.responses).join(', ');
      return [
        `${what} (${media ?? 'no content type'}), but the document does not declare ${statusCode} for ${where}; it declares ${declared}. ` +
          `If the service is right, declare it in the route's response schema (e.g. ...errorResponses(${statusCode})), or in src/http/openapi.ts when every route of its kind can answer it, then run npm run openapi. ` +
          `If the document is right, the service must not answer ${statusCode} here.` +
          (statusCode >= 400 ? ` Problem: ${observed.body.slice(0, 300)}` : ''),
      ];
    }
    this.exercised.add(`${operation.operationId} ${statusCode}`);
    return this.bodyProblems(what, observed, media, (response.content as Record<string, { schema?: Json }> | undefined) ?? {}, `${where}, response ${statusCode}`);
  }

  private bodyProblems(what: string, observed: ObservedResponse, media: string | undefined, content: Record<string, { schema?: Json }>, where: string): string[] {
    const declared = Object.keys(content);
    if (declared.length === 0) {
      return observed.body.length === 0 || observed.statusCode === 204
        ? []
        : [`${what} with a ${media ?? 'typeless'} body, but the document declares no content for ${where}: declare its schema, or send no body.`];
    }
    if (!media || !declared.includes(media)) {
      const hint = observed.statusCode >= 400 ? ' Errors are application/problem+json: send them through sendProblem (src/http/problems.ts).' : '';
      return [`${what} as ${media ?? 'no content type'}, but the document declares ${declared.join(', ')} for ${where}.${hint}`];
    }
    const schema = content[media]!.schema;
    // HEAD answers as GET would, without the body (RFC 9110 §9.3.2): status and type are all there is to check.
    if (!schema || observed.method === 'HEAD') return [];
    // A file (a label as SVG, PDF or ZPL; a CSV export) is declared as a string schema: any body.
    if (!/^application\/(.+\+)?json$/.test(media)) {
      return schema.type === 'string' ? [] : [`${what} as ${media}, which is not JSON, but ${where} declares a ${String(schema.type ?? 'non-string')} schema for it: declare type string.`];
    }
    let body: unknown;
    try {
      body = JSON.parse(observed.body);
    } catch {
      return [`${what} as ${media}, but the body is not JSON: ${observed.body.slice(0, 200)}`];
    }
    const validate = this.validator(`${where} ${media}`, schema);
    if (validate(body)) return [];
    const errors = (validate.errors ?? []).slice(0, 12).map((e) => {
      const value = e.instancePath.split('/').slice(1).reduce<unknown>((at, key) => (at as Json | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], body);
      const shown = JSON.stringify(value);
      return `  body${e.instancePath || ''}: ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''} (value: ${shown === undefined ? 'absent' : shown.slice(0, 120)})`;
    });
    return [
      `${what} with a body that does not match the document's schema for ${where} (${media}):\n${errors.join('\n')}\n` +
        `Fix the route's zod response schema, or what the service returns, so that they agree; then run npm run openapi.`,
    ];
  }

  /** Throws, failing the test, when the response breaks the contract. */
  assert(observed: ObservedResponse): void {
    const found = this.problems(observed);
    if (found.length) throw new ContractViolation(found.join('\n'));
  }
}

export class ContractViolation extends Error {
  constructor(message: string) {
    super(`OpenAPI contract broken (tests/support/contract.ts):\n${message}`);
    this.name = 'ContractViolation';
  }
}

// This module instance's name for its coverage file: a worker process may run several test files.
const RUN = `${process.pid}-${randomUUID()}`;

// One compiled contract per process and document.
const contracts = new Map<string, Contract>();

export function contractFor(documentText: string): Contract {
  let contract = contracts.get(documentText);
  if (!contract) {
    contract = new Contract(JSON.parse(documentText) as Json);
    contracts.set(documentText, contract);
  }
  return contract;
}

/** Writes what this process checked, for the summary the global teardown prints (tests/support/contract-summary.ts). */
export function recordCoverage(dir: string | undefined): void {
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  for (const [index, contract] of [...contracts.values()].entries()) {
    const report = { checked: contract.checked, exercised: [...contract.exercised], declared: contract.declared };
    writeFileSync(join(dir, `${RUN}-${index}.json`), JSON.stringify(report));
  }
}
