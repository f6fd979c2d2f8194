// Each trace answers from a fixed number of SQL statements whatever the size of the chain.
// How it is measured: the trace service runs on a Prisma client whose driver adapter counts
// every SQL statement it is handed (queryRaw and executeRaw), on both engines. The count for a
// lot of 1 unit must equal the count for a lot of 20 units with administrations; a query per
// unit in a loop would add at least 19.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { createTraceService, type TraceService } from '../src/domain/trace/trace-service.ts';
import type { RequestContext } from '../src/domain/shared/context.ts';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { seedChain, seedFacilities, type SeededChain } from './support/chain-fixtures.ts';

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

const ctx: RequestContext = { actor: { keyId: null, name: 'auditor', role: 'auditor', facilityId: null }, requestId: 'count' };

describe.each(engines)('the number of queries a trace makes on %s', (engine) => {
  const counter = { statements: 0 };
  let prisma: PrismaClient;
  let trace: TraceService;
  let close: () => Promise<void>;
  let small: SeededChain;
  let large: SeededChain;

  beforeAll(async () => {
    if (engine === 'pglite') {
      const pglite = await PGlite.create();
      const factory = new PrismaPGlite(pglite);
      await applyMigrations(factory);
      prisma = new PrismaClient({ adapter: counting(factory, counter) });
      close = async () => {
        await prisma.$disconnect();
        await pglite.close();
      };
    } else {
      const t: TestApp = await startTestApp(engine);
      const url = t.scratch.target.engine === 'postgresql' ? t.scratch.target.url : '';
      prisma = new PrismaClient({ adapter: counting(new PrismaPg({ connectionString: url }), counter) });
      close = async () => {
        await prisma.$disconnect();
        await t.close();
      };
    }
    // Reads are what is measured: the read event's own write is left out.
    trace = createTraceService({ prisma, recordRead: async () => undefined });
    const facilities = await seedFacilities(prisma);
    const patient = await prisma.patient.create({ data: { facilityId: facilities.clinicId, medicalRecordNumber: 'MRN-Q' } });
    small = await seedChain(prisma, facilities, { units: 1 });
    large = await seedChain(prisma, facilities, { units: 20 });
    for (const chain of [small, large]) {
      for (const unit of chain.units) {
        await prisma.unit.update({ where: { id: unit.id }, data: { status: 'administered' } });
        await prisma.administration.create({
          data: {
            unitId: unit.id, activeUnitId: unit.id, patientId: patient.id, facilityId: facilities.clinicId, administeredAt: new Date(),
            clinician: 'Dr Q', anatomicalSite: 'heel', indication: 'burn',
          },
        });
      }
    }
  });
  afterAll(async () => close?.());

  async function statementsFor(work: () => Promise<unknown>) {
    counter.statements = 0;
    await work();
    return counter.statements;
  }

  it('traces a lot forward with as many queries for 20 units as for 1', async () => {
    const one = await statementsFor(() => trace.lotTrace(ctx, small.lotId));
    const twenty = await statementsFor(() => trace.lotTrace(ctx, large.lotId));
    expect(twenty).toBe(one);
    expect(one).toBeLessThanOrEqual(10);
    expect((await trace.lotTrace(ctx, large.lotId)).lot.units).toHaveLength(20);
  });

  it('traces a donor forward with as many queries for 20 units as for 1', async () => {
    expect(await statementsFor(() => trace.donorTrace(ctx, large.donorId))).toBe(await statementsFor(() => trace.donorTrace(ctx, small.donorId)));
  });

  it('traces a unit back with the same number of queries whatever the lot', async () => {
    const one = await statementsFor(() => trace.unitTrace(ctx, small.units[0]!.code));
    expect(await statementsFor(() => trace.unitTrace(ctx, large.units[19]!.code))).toBe(one);
    // One statement per relation the trace includes (about twenty), never one per row.
    expect(one).toBeLessThanOrEqual(25);
  });

  it("lists a patient's exposures with a fixed number of queries whatever their count", async () => {
    const patient = await prisma.patient.findFirstOrThrow({ where: { medicalRecordNumber: 'MRN-Q' } });
    const all = await statementsFor(() => trace.exposures(ctx, patient.id));
    expect((await trace.exposures(ctx, patient.id)).exposures).toHaveLength(21);
    expect(all).toBeLessThanOrEqual(6);
    // A patient with a single exposure costs exactly as many statements as one with 21.
    const single = await prisma.patient.create({ data: { facilityId: patient.facilityId, medicalRecordNumber: 'MRN-Q1' } });
    const extra = await seedChain(prisma, await seedFacilities(prisma), { units: 1 });
    await prisma.unit.update({ where: { id: extra.units[0]!.id }, data: { status: 'administered' } });
    await prisma.administration.create({
      data: {
        unitId: extra.units[0]!.id, activeUnitId: extra.units[0]!.id, patientId: single.id, facilityId: patient.facilityId, administeredAt: new Date(),
        clinician: 'Dr Q', anatomicalSite: 'heel', indication: 'burn',
      },
    });
    expect(await statementsFor(() => trace.exposures(ctx, single.id))).toBe(all);
  });
});
