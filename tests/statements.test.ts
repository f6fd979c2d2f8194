// The one-statement reads' path to the database (src/db/statements.ts), on both engines: a named
// statement is prepared once and then only bound, values and columns travel as text, errors keep
// their SQLSTATE, a name stands for one text, and on PGlite a statement waits for another
// caller's open transaction instead of running inside it. And every named read of the service
// has one text whatever its values, so that preparing it by name is sound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/database.ts';
import { named, sql } from '../src/db/sql.ts';
import { sqlStateOf } from '../src/db/sql-state.ts';
import { recordedReadSql } from '../src/domain/audit/audit-log.ts';
import { donorTraceAnswer, exposuresAnswer, lotTraceAnswer, unitTraceAnswer } from '../src/domain/trace/trace-sql.ts';
import { unitByCodeQuery } from '../src/domain/units/unit-sql.ts';
import { lotByIdQuery } from '../src/domain/lots/lot-sql.ts';
import { donorByIdQuery } from '../src/domain/donors/donor-sql.ts';
import { shipmentByIdQuery } from '../src/domain/shipments/shipment-sql.ts';
import { recallReportQuery } from '../src/domain/recalls/recall-report.ts';
import { investigationQuery } from '../src/domain/adverse-reactions/adverse-reaction-sql.ts';
import type { RequestContext } from '../src/domain/shared/context.ts';
import { engines, scratchDatabase, type ScratchDatabase } from './support/engines.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

describe.each(engines)('prepared statements on %s', (engine) => {
  let scratch: ScratchDatabase;
  let database: Database;

  beforeAll(async () => {
    scratch = await scratchDatabase(engine);
    database = await openDatabase(scratch.target);
    await database.prisma.$executeRawUnsafe('CREATE TABLE t (id int PRIMARY KEY, label text, at timestamptz, doc jsonb)');
    await database.prisma.$executeRawUnsafe(`INSERT INTO t VALUES (1, 'one', '2026-11-24T08:30:00.120Z', '{"a":1}'), (2, NULL, NULL, NULL)`);
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.drop();
  });

  const byId = (id: number) => sql`SELECT id, label, at, doc, ${id}::int + 1 AS next FROM t WHERE id = ${id}`;

  it('prepares a named statement once and runs it with other values, columns as their text and NULL as null', async () => {
    expect(await database.reader.rows(byId(1), 'by_id')).toEqual([['1', 'one', '2026-11-24 08:30:00.12+00', '{"a": 1}', '2']]);
    expect(await database.reader.rows(byId(2), 'by_id')).toEqual([['2', null, null, null, '3']]);
    expect(await database.reader.rows(byId(3), 'by_id')).toEqual([]);
    // Unnamed: parsed at every call.
    expect(await database.reader.rows(sql`SELECT ${'x'}::text || ${'y'}::text`)).toEqual([['xy']]);
  });

  it('keeps the SQLSTATE of an error, and the statement usable after it', async () => {
    const bad = (value: string) => sql`SELECT ${value}::uuid`;
    const error = await database.reader.rows(bad('not a uuid'), 'cast_uuid').catch((e: unknown) => e);
    expect(sqlStateOf(error)).toBe('22P02');
    expect(await database.reader.rows(bad(A), 'cast_uuid')).toEqual([[A]]);
  });

  it('refuses a name given another text', async () => {
    await database.reader.rows(sql`SELECT 1`, 'one_text');
    await expect(database.reader.rows(sql`SELECT 2`, 'one_text')).rejects.toThrow();
  });

  it('runs on generic plans, and leaves the session as it found it for everyone else', async () => {
    expect(await database.reader.rows(sql`SELECT current_setting('plan_cache_mode')`, 'plan_mode')).toEqual([['force_generic_plan']]);
    const [row] = await database.prisma.$queryRawUnsafe<{ mode: string }[]>(`SELECT current_setting('plan_cache_mode') AS mode`);
    expect(row!.mode).toBe('auto');
  });

  it.runIf(engine === 'pglite')("waits for another caller's open transaction rather than running inside it", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = database.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`UPDATE t SET label = 'changed' WHERE id = 1`);
      await held;
      throw new Error('rolled back');
    }).catch(() => 'rolled back');
    await new Promise((r) => setTimeout(r, 50));
    const read = database.reader.rows(sql`SELECT label FROM t WHERE id = 1`, 'label_of_one');
    release();
    expect(await transaction).toBe('rolled back');
    // Had it run inside the transaction, it would have seen 'changed' (and then been rolled back with it).
    expect(await read).toEqual([['one']]);
  });
});

describe('the named reads of the service', () => {
  const clinician: RequestContext = { actor: { keyId: A, name: 'Dr Q', role: 'clinician', facilityId: A }, requestId: 'r1' };
  const auditor: RequestContext = { actor: { keyId: null, name: 'Ann', role: 'auditor', facilityId: null }, requestId: 'r2' };
  const event = { action: 'unit.trace_read', entityType: 'unit' };

  it('have one text whatever their values, so that each name stands for one statement', () => {
    const pairs = [
      [named('unit_trace', recordedReadSql(unitTraceAnswer('W123426000001T0001A01', A), clinician, event)), named('unit_trace', recordedReadSql(unitTraceAnswer('X', null), auditor, event))],
      [named('lot_trace', recordedReadSql(lotTraceAnswer(A, null), auditor, event)), named('lot_trace', recordedReadSql(lotTraceAnswer(B, A), clinician, event))],
      [named('donor_trace', recordedReadSql(donorTraceAnswer(A, null), auditor, event)), named('donor_trace', recordedReadSql(donorTraceAnswer(B, B), clinician, event))],
      [named('patient_exposures', recordedReadSql(exposuresAnswer(A, null), auditor, event)), named('patient_exposures', recordedReadSql(exposuresAnswer(B, A), clinician, event))],
      [unitByCodeQuery('A'), unitByCodeQuery('B')],
      [lotByIdQuery(A), lotByIdQuery(B)],
      [donorByIdQuery(A), donorByIdQuery(B)],
      [shipmentByIdQuery(A), shipmentByIdQuery(B)],
      [recallReportQuery(A), recallReportQuery(B)],
      [investigationQuery(A), investigationQuery(B)],
    ];
    for (const [one, other] of pairs) {
      expect(other!.name).toBe(one!.name);
      expect(other!.query.text, one!.name).toBe(one!.query.text);
      expect(other!.query.values, one!.name).not.toEqual(one!.query.values);
    }
  });
});
