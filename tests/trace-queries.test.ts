// Each trace is at most three SQL statements plus its read event, whatever the size of the chain.
// How it is measured: the services run on a Prisma client and a reader whose driver adapter counts
// every SQL statement it is handed (queryRaw and executeRaw), on both engines; the read event is
// counted apart (recordRead is the audit trail's, and becomes one queued insert). A small chain
// (1 unit) and a large one (20 units, a corrected administration, dispositions, adverse
// reactions, two lots, two shipments) must cost the same number of statements.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import pg from 'pg';
import { UTC_SESSION } from '../src/db/database.ts';
import { pgliteStatements, poolStatements, type Statements } from '../src/db/statements.ts';
import { createTraceService, type TraceService } from '../src/domain/trace/trace-service.ts';
import { createAdverseReactionService } from '../src/domain/adverse-reactions/adverse-reaction-service.ts';
import { createRecallService } from '../src/domain/recalls/recall-service.ts';
import { createSigning } from '../src/domain/signatures/signing.ts';
import { DEFAULT_SIGNING_SETTINGS } from '../src/domain/signatures/signing-rules.ts';
import type { RequestContext } from '../src/domain/shared/context.ts';
import type { RecordRead, RunCommand } from '../src/domain/shared/transaction.ts';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { seedChain, seedFacilities, type ChainFacilities, type SeededChain } from './support/chain-fixtures.ts';

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
const DAY = 86_400_000;
const noCommands: RunCommand = async () => {
  throw new Error('a read must not run a command');
};

describe.each(engines)('the number of statements a trace makes on %s', (engine) => {
  const counter = { statements: 0, readEvents: 0 };
  let prisma: PrismaClient;
  let trace: TraceService;
  let investigations: ReturnType<typeof createAdverseReactionService>;
  let recalls: ReturnType<typeof createRecallService>;
  let close: () => Promise<void>;
  let facilities: ChainFacilities;
  let small: SeededChain;
  let large: SeededChain;
  const patients: Record<'small' | 'large', string> = { small: '', large: '' };
  const reactions: Record<'small' | 'large', string> = { small: '', large: '' };
  const recallOf: Record<'small' | 'large', string> = { small: '', large: '' };

  async function administer(unitId: string, patientId: string, at: Date) {
    await prisma.unit.update({ where: { id: unitId }, data: { status: 'administered' } });
    return prisma.administration.create({
      data: { unitId, activeUnitId: unitId, patientId, facilityId: facilities.clinicId, administeredAt: at, clinician: 'Dr Q', anatomicalSite: 'heel', indication: 'burn' },
    });
  }

  async function recallEverything(chain: SeededChain, patientId: string) {
    const recall = await prisma.recall.create({ data: { scope: 'lot', lotId: chain.lotId, reason: 'count', initiatedBy: 'QA', initiatedAt: new Date() } });
    await prisma.recallItem.createMany({
      data: chain.units.map((u, i) => ({
        recallId: recall.id, unitId: u.id, unitCode: u.code, statusAtRecall: i === 0 ? 'administered' : 'distributed',
        outcome: i === 0 ? 'administered' : i % 3 === 1 ? 'discarded' : 'held',
        facilityId: i % 2 ? facilities.clinicId : facilities.bankId, patientId: i === 0 ? patientId : null,
      })),
    });
    return recall.id;
  }

  beforeAll(async () => {
    let factory: SqlDriverAdapterFactory;
    let statements: Statements;
    if (engine === 'pglite') {
      const pglite = await PGlite.create();
      factory = new PrismaPGlite(pglite);
      await applyMigrations(factory as PrismaPGlite);
      statements = pgliteStatements(pglite);
      close = async () => pglite.close();
    } else {
      const t: TestApp = await startTestApp(engine);
      const url = t.scratch.target.engine === 'postgresql' ? t.scratch.target.url : '';
      factory = new PrismaPg({ connectionString: url, options: UTC_SESSION });
      const pool = new pg.Pool({ connectionString: url, options: UTC_SESSION });
      statements = poolStatements(pool);
      close = async () => {
        await pool.end();
        await t.close();
      };
    }
    const countingFactory = counting(factory, counter);
    prisma = new PrismaClient({ adapter: countingFactory });
    // The reads go past Prisma (db/statements.ts): counted there too.
    const reader: Statements = {
      rows(query, name) {
        counter.statements++;
        return statements.rows(query, name);
      },
    };
    const afterPrisma = close;
    close = async () => {
      await prisma.$disconnect();
      await afterPrisma();
    };
    // The read event is the audit trail's business: counted apart, written nowhere here.
    const recordRead: RecordRead = async () => {
      counter.readEvents++;
    };
    trace = createTraceService({ reader });
    // Reads only: nothing here signs.
    const signing = createSigning({ prisma, runCommand: noCommands, signing: DEFAULT_SIGNING_SETTINGS });
    investigations = createAdverseReactionService({ prisma, reader, runCommand: noCommands, recordRead, signing });
    recalls = createRecallService({ prisma, reader, runCommand: noCommands, signing });

    facilities = await seedFacilities(prisma);
    small = await seedChain(prisma, facilities, { units: 1 });
    large = await seedChain(prisma, facilities, { units: 20 });
    // The large donor has a second lot; the large chain's units went through a second shipment.
    const second = await seedChain(prisma, facilities, { units: 3 });
    await prisma.lot.update({ where: { id: second.lotId }, data: { donorId: large.donorId } });
    const reship = await prisma.shipment.create({
      data: { fromFacilityId: facilities.clinicId, toFacilityId: facilities.bankId, shippedAt: new Date(Date.now() - DAY), shippedBy: 'Dana', conditions: 'cold' },
    });
    await prisma.shipmentItem.createMany({ data: large.units.map((u) => ({ shipmentId: reship.id, unitId: u.id })) });

    for (const size of ['small', 'large'] as const) {
      const chain = size === 'small' ? small : large;
      const patient = await prisma.patient.create({ data: { facilityId: facilities.clinicId, medicalRecordNumber: `MRN-${size}` } });
      patients[size] = patient.id;
      const administered = size === 'small' ? chain.units : chain.units.slice(0, 15);
      for (const [i, unit] of administered.entries()) {
        const given = await administer(unit.id, patient.id, new Date(Date.now() - (i + 2) * 3_600_000));
        const reaction = await prisma.adverseReaction.create({
          data: {
            administrationId: given.id, onsetAt: new Date(), description: 'swelling', severity: 'mild', suspectedCommunicableDisease: false,
            reportedBy: 'Dr Q', reportedAt: new Date(), reportDueOn: new Date(Date.now() + 45 * DAY),
          },
        });
        if (i === 0) reactions[size] = reaction.id;
      }
      if (size === 'large') {
        // A correction: the first administration has two versions, each with a reaction.
        const first = await prisma.administration.findFirstOrThrow({ where: { unitId: chain.units[0]!.id } });
        await prisma.administration.update({ where: { id: first.id }, data: { supersededAt: new Date(), activeUnitId: null } });
        await prisma.administration.create({
          data: {
            unitId: first.unitId, activeUnitId: first.unitId, patientId: patient.id, facilityId: facilities.clinicId, administeredAt: first.administeredAt,
            clinician: 'Dr Q', anatomicalSite: 'left heel', indication: 'burn', correctsId: first.id, correctionReasonCode: 'other', correctionReason: 'site',
          },
        });
        for (const unit of chain.units.slice(15)) {
          await prisma.unit.update({ where: { id: unit.id }, data: { status: 'discarded' } });
          await prisma.disposition.create({ data: { unitId: unit.id, kind: 'discarded', reasonCode: 'damaged', occurredAt: new Date(), facilityId: facilities.clinicId, recordedBy: 'Dr Q' } });
        }
      }
      recallOf[size] = await recallEverything(chain, patient.id);
    }
  });
  afterAll(async () => close?.());

  /**
   * Statements and read events of one read: events a statement queued itself (a trace records
   * its reading in its own statement) and those handed to recordRead.
   */
  async function cost(work: () => Promise<unknown>) {
    // Queued or already in the log (a test app's sequencer may integrate them meanwhile).
    const events = async () => {
      const [row] = await prisma.$queryRaw<{ n: bigint }[]>`SELECT (SELECT count(*) FROM audit_queue) + (SELECT count(*) FROM audit_event) AS n`;
      return Number(row!.n);
    };
    const before = await events();
    counter.statements = 0;
    counter.readEvents = 0;
    await work();
    const statements = counter.statements;
    return { statements, readEvents: counter.readEvents + (await events()) - before };
  }

  const oneStatementAndItsReadEvent = { statements: 1, readEvents: 1 };

  it('traces a unit back in one statement that also records its read event, whatever the chain', async () => {
    expect(await cost(() => trace.unitTrace(ctx, small.units[0]!.code))).toEqual(oneStatementAndItsReadEvent);
    expect(await cost(() => trace.unitTrace(ctx, large.units[0]!.code))).toEqual(oneStatementAndItsReadEvent);
    const big = await trace.unitTrace(ctx, large.units[0]!.code);
    expect(big.administrations).toHaveLength(2);
    expect(big.adverseReactions).toHaveLength(1);
    expect(big.shipments).toHaveLength(2);
  });

  it('traces a lot forward in one statement that also records its read event, for 20 units as for 1', async () => {
    expect(await cost(() => trace.lotTrace(ctx, small.lotId))).toEqual(oneStatementAndItsReadEvent);
    expect(await cost(() => trace.lotTrace(ctx, large.lotId))).toEqual(oneStatementAndItsReadEvent);
    const units = (await trace.lotTrace(ctx, large.lotId)).lot.units;
    expect(units).toHaveLength(20);
    expect(units.filter((u) => u.administration)).toHaveLength(15);
    expect(units.filter((u) => u.dispositions.length)).toHaveLength(5);
  });

  it('traces a donor forward in one statement that also records its read event, for two lots as for one', async () => {
    expect(await cost(() => trace.donorTrace(ctx, small.donorId))).toEqual(oneStatementAndItsReadEvent);
    expect(await cost(() => trace.donorTrace(ctx, large.donorId))).toEqual(oneStatementAndItsReadEvent);
    expect((await trace.donorTrace(ctx, large.donorId)).lots.flatMap((l) => l.units)).toHaveLength(23);
  });

  it("lists a patient's exposures in one statement that also records its read event, for 15 as for 1", async () => {
    expect(await cost(() => trace.exposures(ctx, patients.small))).toEqual(oneStatementAndItsReadEvent);
    expect(await cost(() => trace.exposures(ctx, patients.large))).toEqual(oneStatementAndItsReadEvent);
    expect((await trace.exposures(ctx, patients.large)).exposures).toHaveLength(15);
  });

  it("shows an adverse reaction with its unit's backward trace in one statement plus its read event", async () => {
    expect(await cost(() => investigations.get(ctx, reactions.small))).toEqual(oneStatementAndItsReadEvent);
    expect(await cost(() => investigations.get(ctx, reactions.large))).toEqual(oneStatementAndItsReadEvent);
    expect((await investigations.get(ctx, reactions.large)).trace.administrations).toHaveLength(2);
  });

  it('rebuilds a recall report in one statement, for 20 units as for 1', async () => {
    expect(await cost(() => recalls.get(recallOf.small))).toEqual({ statements: 1, readEvents: 0 });
    expect(await cost(() => recalls.get(recallOf.large))).toEqual({ statements: 1, readEvents: 0 });
    const report = await recalls.get(recallOf.large);
    expect(report.totals).toEqual({ held: 12, administered: 1, discarded: 7, other: 0 });
    expect(report.held.map((g) => g.facilityId).sort()).toEqual([facilities.bankId, facilities.clinicId].sort());
  });

  it("records a clinician's trace only when she may see it: another facility's unit or patient is not found, and its reading is not recorded", async () => {
    const clinician = (facilityId: string): RequestContext => ({ actor: { keyId: null, name: 'Dr Q', role: 'clinician', facilityId }, requestId: 'count' });
    const elsewhere = clinician('00000000-0000-4000-8000-00000000abcd');
    const here = clinician(facilities.clinicId);
    expect(await cost(() => trace.unitTrace(elsewhere, small.units[0]!.code).catch(() => undefined))).toEqual({ statements: 1, readEvents: 0 });
    await expect(trace.unitTrace(elsewhere, small.units[0]!.code)).rejects.toMatchObject({ code: 'not_found' });
    expect(await cost(() => trace.exposures(elsewhere, patients.small).catch(() => undefined))).toEqual({ statements: 1, readEvents: 0 });
    await expect(trace.exposures(elsewhere, patients.small)).rejects.toMatchObject({ code: 'not_found' });
    // Administered at her clinic: hers to trace.
    expect(await cost(() => trace.unitTrace(here, small.units[0]!.code))).toEqual(oneStatementAndItsReadEvent);
    expect(await cost(() => trace.exposures(here, patients.small))).toEqual(oneStatementAndItsReadEvent);
  });

  it('answers an unknown unit, lot, donor, patient, reaction or recall in one statement, with no read event', async () => {
    const nobody = '00000000-0000-4000-8000-000000000000';
    for (const read of [
      () => trace.unitTrace(ctx, `${small.din}T0001Z99`),
      () => trace.lotTrace(ctx, nobody),
      () => trace.donorTrace(ctx, nobody),
      () => trace.exposures(ctx, nobody),
      () => investigations.get(ctx, nobody),
      () => recalls.get(nobody),
    ]) {
      expect(await cost(() => read().catch(() => undefined))).toEqual({ statements: 1, readEvents: 0 });
      await expect(read()).rejects.toMatchObject({ code: 'not_found' });
    }
  });
});
