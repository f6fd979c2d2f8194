// Fuzzing every write and list route from the served OpenAPI document, so that routes added
// later are fuzzed too: schema-derived valid requests with one field replaced by a hostile
// value (the probe list in support/hostile-inputs.ts, or arbitrary UTF-16, numbers and dates).
// Never a 5xx; every error is problem+json; a refused request changes no table and no audit
// event. Bounded by time: FUZZ_SECONDS per engine (default 25).
//
// Then every operation of the document, called as any role (or none, or a bogus key), with any
// method, Accept and Content-Type, an unknown query parameter or a body that is not JSON: every
// answer is one the document declares for that operation, or 404/405 for a path or method it does
// not have (the contract check of every inject, support/contract.ts). CONTRACT_FUZZ_SECONDS
// (default 15).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { buildWorld } from './support/fuzz-world.ts';
import { allHostileValues } from './support/hostile-inputs.ts';
import { encodeAny, fieldsOf, operationsOf, requestFor, send, textOf, type Operation, type World } from './support/openapi-requests.ts';
import { ContractViolation } from './support/contract.ts';
import { tableState } from './support/table-state.ts';

const FUZZ_MS = Number(process.env.FUZZ_SECONDS ?? 25) * 1000;
const CONTRACT_FUZZ_MS = Number(process.env.CONTRACT_FUZZ_SECONDS ?? 15) * 1000;

/** Any UTF-16 code units, lone surrogates and control characters included. */
const rawText = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 24 }).map((units) => String.fromCharCode(...units));
const anyInstant = fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
const hostileValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...allHostileValues().map((h) => h.value)) },
  { weight: 2, arbitrary: rawText },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String) },
  { weight: 1, arbitrary: anyInstant },
  { weight: 1, arbitrary: anyInstant.map((s) => s.slice(0, 10)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

describe.each(engines)('fuzzing every write and list route on %s', (engine) => {
  let t: TestApp;
  let world: World;
  let operations: Operation[];

  beforeAll(async () => {
    t = await startTestApp(engine);
    world = await buildWorld(t);
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    operations = operationsOf(doc).filter((op) => !['/health', '/ready'].includes(op.path) && fieldsOf(op).length > 0);
  });
  afterAll(async () => t?.close());

  it('covers every operation that takes input', () => {
    const writes = operations.filter((op) => op.method !== 'GET');
    expect(writes.length).toBeGreaterThan(20);
    expect(operations.some((op) => op.operationId === 'listDonors')).toBe(true);
  });

  it('answers hostile input with 4xx problem+json, never 5xx, and a refusal writes nothing', async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.boolean(), hostileValue, async (opIndex, fieldIndex, valid, value) => {
        const op = operations[opIndex % operations.length]!;
        const fields = fieldsOf(op);
        const field = fields[fieldIndex % fields.length]!;
        const spec = requestFor(op, world, valid ? undefined : { field, value });
        // The audit sequencer moves events from the queue into the log: settle it around each look.
        await t.settle();
        const before = await tableState(t.database.prisma);
        const res = await send(t, spec);
        seen.set(op.operationId, (seen.get(op.operationId) ?? 0) + 1);
        const where = `${spec.method} ${spec.url.slice(0, 200)} ${JSON.stringify(spec.body)?.slice(0, 300)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
        expect(res.statusCode, where).toBeLessThan(500);
        if (res.statusCode >= 400) {
          expect(res.headers['content-type'], where).toMatch(/^application\/problem\+json/);
          await t.settle();
          const after = await tableState(t.database.prisma);
          // A wrong signing password, or any signing by a locked signer, is recorded on purpose
          // (21 CFR 11.300(d)): its audit event (in the log, its nodes and heads), the signer's
          // count of failures, a lock and its alert.
          const refusal = res.json().signatureRefusal;
          const recorded = ['wrong_password', 'signer_locked'].includes(refusal) ? ['audit_event', 'audit_queue', 'audit_node', 'audit_head', 'signer', 'security_alert'] : [];
          const without = (state: typeof after) => Object.fromEntries(Object.entries(state).filter(([name]) => !recorded.includes(name)));
          expect(without(after), where).toEqual(without(before));
        }
      }),
      { numRuns: 1_000_000, interruptAfterTimeLimit: FUZZ_MS, markInterruptAsFailure: false },
    );
    // Time-bounded, but never so short that most routes were not reached.
    expect(seen.size).toBeGreaterThan(Math.min(operations.length, 10));
  });
  it('answers every operation, as any caller, with any method and headers, as the document says [REQ-DOC-02]', { timeout: CONTRACT_FUZZ_MS + 60_000 }, async () => {
    const all = operationsOf((await t.app.inject({ method: 'GET', url: '/openapi.json' })).json());
    const keys: Record<string, string | null> = { admin: t.adminKey, none: null, bogus: `atk_${'x'.repeat(40)}` };
    for (const role of ['coordinator', 'quality', 'auditor'] as const) keys[role] = (await t.keyFor(role)).key;
    keys.clinician = (await t.keyFor('clinician', { facilityId: world.ids.clinicId })).key;
    keys.otherClinician = (await t.keyFor('clinician', { facilityId: world.ids.hospitalId })).key;
    const accepts = ['*/*', 'application/json', 'text/html', 'text/csv', 'application/x-ndjson', 'image/svg+xml', 'application/pdf', 'application/fhir+json', 'garbage;;q=x', 'application/json;q=0'];
    const contentTypes = ['text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded', 'application/merge-patch+json'];
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.nat(), fc.nat(), hostileValue, fc.constantFrom(...Object.keys(keys)),
        fc.constantFrom('valid', 'field', 'unknownQuery', 'accept', 'contentType', 'notJson', 'method'),
        fc.constantFrom(...accepts), fc.constantFrom(...contentTypes), fc.constantFrom(...methods),
        async (opIndex, fieldIndex, value, who, mutation, accept, contentType, otherMethod) => {
          const op = all[opIndex % all.length]!;
          const fields = fieldsOf(op);
          const field = fields[fieldIndex % Math.max(1, fields.length)];
          const spec = requestFor(op, world, mutation === 'field' && field ? { field, value } : undefined);
          const method = mutation === 'method' ? otherMethod : spec.method;
          const headers: Record<string, string> = {};
          if (keys[who]) headers.authorization = `Bearer ${keys[who]}`;
          if (mutation === 'accept') headers.accept = accept;
          let payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
          if (mutation === 'notJson') payload = '{"a":';
          if (payload !== undefined) headers['content-type'] = mutation === 'contentType' ? contentType : 'application/json';
          const url = mutation === 'unknownQuery' ? `${spec.url}${spec.url.includes('?') ? '&' : '?'}unknown=${encodeAny(textOf(value).slice(0, 40))}` : spec.url;
          seen.add(op.operationId);
          const where = `${method} ${url.slice(0, 200)} as ${who} ${JSON.stringify(headers)} ${payload?.slice(0, 200)}`;
          try {
            // The contract check runs inside every inject: an undeclared status, a wrong type or
            // a body off its schema throws ContractViolation.
            const res = await t.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined || method === 'GET' || method === 'HEAD' ? {} : { payload }) });
            expect(res.statusCode, `${where} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
          } catch (error) {
            if (error instanceof ContractViolation) throw new Error(`${where}\n${error.message}`);
            throw error;
          }
        },
      ),
      { numRuns: 1_000_000, interruptAfterTimeLimit: CONTRACT_FUZZ_MS, markInterruptAsFailure: false },
    );
    expect(seen.size).toBeGreaterThan(Math.min(all.length, 20));
  });
});
