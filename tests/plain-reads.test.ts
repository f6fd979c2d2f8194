// Plain reads cost one SQL statement each, the key check included: GET /units/{code}, /lots/{id},
// /donors/{id} and /shipments/{id} are each built as one JSON document by PostgreSQL, and a key
// that authenticated a moment ago is not looked up again (its cache, KEY_CACHE_TTL_MS).
// Measured through the whole app, on a database whose driver adapter counts every statement.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { FastifyInstance } from 'fastify';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { buildApp } from '../src/app.ts';
import pg from 'pg';
import { UTC_SESSION, type Database } from '../src/db/database.ts';
import { pgliteStatements, poolStatements, type Statements } from '../src/db/statements.ts';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { ok, releasedLot, setupBank, splitUnits } from './support/lot-fixtures.ts';

function counting(factory: SqlDriverAdapterFactory, counter: { statements: number }): SqlDriverAdapterFactory {
  const wrap = (adapter: SqlDriverAdapter): SqlDriverAdapter =>
    new Proxy(adapter, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop === 'queryRaw' || prop === 'executeRaw') {
          return (...args: unknown[]) => {
            counter.statements++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return { provider: factory.provider, adapterName: factory.adapterName, connect: async () => wrap(await factory.connect()) };
}

/** The reads that go past Prisma, counted too. */
const countingStatements = (statements: Statements, counter: { statements: number }): Statements => ({
  rows(query, name) {
    counter.statements++;
    return statements.rows(query, name);
  },
});

/** The test app's database reopened through a counting adapter (its migrations already applied). */
async function countingDatabase(t: TestApp, counter: { statements: number }): Promise<Database> {
  const target = t.scratch.target;
  let pglite: PGlite | null = null;
  let factory: SqlDriverAdapterFactory;
  if (target.engine === 'pglite') {
    pglite = await PGlite.create(join(target.dataDir, 'pgdata'));
    factory = new PrismaPGlite(pglite);
  } else {
    factory = new PrismaPg({ connectionString: target.url, options: UTC_SESSION });
  }
  const counted = counting(factory, counter);
  const prisma = new PrismaClient({ adapter: counted });
  const pool = pglite ? null : new pg.Pool({ connectionString: (target as { url: string }).url, options: UTC_SESSION });
  const reader = countingStatements(pglite ? pgliteStatements(pglite) : poolStatements(pool!), counter);
  return {
    engine: target.engine,
    prisma,
    reader,
    migrationAdapter: factory as SqlMigrationAwareDriverAdapterFactory,
    durable: target.engine === 'postgresql',
    subscribe() {},
    async close() {
      await prisma.$disconnect();
      await pool?.end();
      await pglite?.close();
    },
  };
}

describe.each(engines)('plain reads on %s', (engine) => {
  const counter = { statements: 0 };
  let t: TestApp;
  let app: FastifyInstance;
  let auditorKey: string;
  const urls: Record<string, string> = {};
  const printed = { code: '', checkCharacter: '' };

  beforeAll(async () => {
    t = await startTestApp(engine);
    const bank = await setupBank(t);
    const lot = await releasedLot(t, bank);
    const units = await splitUnits(bank, lot.id, 3);
    const shipment = await ok(
      bank.coordinator.post('/shipments', { fromFacilityId: bank.bankId, toFacilityId: bank.clinicId, unitCodes: units.map((u) => u.code), shippedAt: new Date().toISOString(), conditions: 'ambient' }),
      201,
    );
    await ok(bank.clinician.post(`/shipments/${shipment.id}/receipt`, { receivedAt: new Date().toISOString(), conditionAcceptable: true, temperatureAcceptable: true }), 201);
    auditorKey = bank.auditor.key;
    Object.assign(printed, { code: units[0]!.printedCode, checkCharacter: units[0]!.checkCharacter });
    Object.assign(urls, { unit: `/units/${units[0]!.code}`, lot: `/lots/${lot.id}`, donor: `/donors/${lot.donorId}`, shipment: `/shipments/${shipment.id}` });
    await t.close({ drop: false });
    app = await buildApp(t.config, { database: await countingDatabase(t, counter) });
  });

  afterAll(async () => {
    await app?.close();
    await t?.scratch.drop();
  });

  const read = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${auditorKey}` } });

  it('answers each with one statement, the key check included once the key is cached [REQ-PERF-02]', async () => {
    // The first request looks the key up (and notes its use, at most once a minute).
    expect((await read(urls.unit!)).statusCode).toBe(200);
    for (const [what, url] of Object.entries(urls)) {
      counter.statements = 0;
      const res = await read(url);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(200);
      expect({ what, statements: counter.statements }).toEqual({ what, statements: 1 });
    }
  });

  it('shows what the reads built by Prisma showed: the unit with its lot, the lot with its records, the shipment with its items and receipt', async () => {
    const unit = (await read(urls.unit!)).json();
    expect(unit).toMatchObject({ code: expect.any(String), din: expect.any(String), tissueType: 'amniotic_membrane', status: 'distributed' });
    expect(unit).toMatchObject({ printedCode: printed.code, checkCharacter: printed.checkCharacter });
    const lot = (await read(urls.lot!)).json();
    expect(lot.processingSteps).toHaveLength(1);
    expect(lot.processingSteps[0]).toMatchObject({ kind: 'rinse', deviations: [], parameters: { solution: expect.any(String) } });
    expect(lot.preservations[0]).toMatchObject({ storageTempMinC: 15, storageTempMaxC: 30 });
    expect(lot.releaseDecisions).toEqual([expect.objectContaining({ decision: 'released' })]);
    const donor = (await read(urls.donor!)).json();
    expect(donor).toMatchObject({ eligibility: 'eligible', consentInForce: true, currentDeterminationId: expect.any(String) });
    const shipment = (await read(urls.shipment!)).json();
    expect(shipment.items).toHaveLength(3);
    expect(shipment.items.map((i: { unitCode: string }) => i.unitCode)).toEqual([...shipment.items.map((i: { unitCode: string }) => i.unitCode)].sort());
    expect(shipment.receipt).toMatchObject({ conditionAcceptable: true, temperatureAcceptable: true });
  });
});
