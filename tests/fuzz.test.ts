// Fuzzing every write and list route from the served OpenAPI document, so that routes added
// later are fuzzed too: schema-derived valid requests with one field replaced by a hostile
// value (the probe list in support/hostile-inputs.ts, or arbitrary UTF-16, numbers and dates).
// Never a 5xx; every error is problem+json; a refused request changes no table and no audit
// event. Bounded by time: FUZZ_SECONDS per engine (default 25).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { buildWorld } from './support/fuzz-world.ts';
import { allHostileValues } from './support/hostile-inputs.ts';
import { fieldsOf, operationsOf, requestFor, send, type Operation, type World } from './support/openapi-requests.ts';
import { tableState } from './support/table-state.ts';

const FUZZ_MS = Number(process.env.FUZZ_SECONDS ?? 25) * 1000;

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
          expect(await tableState(t.database.prisma), where).toEqual(before);
        }
      }),
      { numRuns: 1_000_000, interruptAfterTimeLimit: FUZZ_MS, markInterruptAsFailure: false },
    );
    // Time-bounded, but never so short that most routes were not reached.
    expect(seen.size).toBeGreaterThan(Math.min(operations.length, 10));
  });
});
