// The traces are built as JSON by PostgreSQL; the API's forms must not change with it: instants
// as ISO 8601 UTC with milliseconds and Z (also when the milliseconds are zero), calendar dates as
// YYYY-MM-DD, decimals as JSON numbers, empty lists as []. On PostgreSQL the database's default
// TimeZone is set far from UTC, to show that neither it nor Node's zone leaks into the answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { engines, scratchDatabase } from './support/engines.ts';
import { startTestApp, type Client, type TestApp } from './support/test-app.ts';
import { seedChain, seedFacilities, type ChainFacilities, type SeededChain } from './support/chain-fixtures.ts';

describe.each(engines)('the wire forms of traces on %s', (engine) => {
  let t: TestApp;
  let f: ChainFacilities;
  let chain: SeededChain;
  let auditor: Client;
  let patientId: string;
  let reactionId: string;
  let recallId: string;

  beforeAll(async () => {
    const scratch = await scratchDatabase(engine);
    if (scratch.target.engine === 'postgresql') {
      const client = new pg.Client({ connectionString: scratch.target.url });
      await client.connect();
      await client.query(`ALTER DATABASE ${new URL(scratch.target.url).pathname.slice(1)} SET timezone = 'Pacific/Kiritimati'`);
      await client.end();
    }
    t = await startTestApp(engine, { scratch });
    const prisma = t.database.prisma;
    f = await seedFacilities(prisma);
    chain = await seedChain(prisma, f, { units: 3 });
    auditor = await t.keyFor('auditor');
    await prisma.unit.update({ where: { id: chain.units[0]!.id }, data: { volumeMl: 12.5, status: 'administered' } });
    await prisma.unit.update({ where: { id: chain.units[1]!.id }, data: { volumeMl: 3 } });
    await prisma.preservation.create({
      data: { lotId: chain.lotId, method: 'cryopreserved', storageTempMinC: -80.5, storageTempMaxC: -60, storageLocation: 'F2', preservedAt: new Date('2026-11-01T09:15:00.000Z'), expiresOn: new Date('2030-01-31T00:00:00.000Z') },
    });
    const patient = await prisma.patient.create({ data: { facilityId: f.clinicId, medicalRecordNumber: 'MRN-WIRE' } });
    patientId = patient.id;
    const given = await prisma.administration.create({
      data: {
        unitId: chain.units[0]!.id, activeUnitId: chain.units[0]!.id, patientId, facilityId: f.clinicId,
        administeredAt: new Date('2026-11-20T23:30:00.000Z'), clinician: 'Dr W', anatomicalSite: 'heel', indication: 'burn',
      },
    });
    reactionId = (
      await prisma.adverseReaction.create({
        data: {
          administrationId: given.id, onsetAt: new Date('2026-11-21T00:00:00.007Z'), description: 'redness', severity: 'mild', suspectedCommunicableDisease: false,
          reportedBy: 'Dr W', reportedAt: new Date('2026-11-21T01:00:00.000Z'), reportDueOn: new Date('2027-01-05T00:00:00.000Z'),
        },
      })
    ).id;
    const recall = await prisma.recall.create({ data: { scope: 'lot', lotId: chain.lotId, reason: 'wire', initiatedBy: 'QA', initiatedAt: new Date('2026-11-24T00:00:00.000Z') } });
    await prisma.recallItem.create({ data: { recallId: recall.id, unitId: chain.units[0]!.id, unitCode: chain.units[0]!.code, statusAtRecall: 'administered', outcome: 'administered', facilityId: f.clinicId, patientId } });
    recallId = recall.id;
  });
  afterAll(async () => t?.close());

  it('gives instants with milliseconds and Z, dates as calendar days and decimals as numbers in a backward trace', async () => {
    const res = await auditor.get(`/units/${chain.units[0]!.code}/trace`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('"administeredAt":"2026-11-20T23:30:00.000Z"');
    expect(res.body).toContain('"volumeMl":12.5');
    expect(res.body).toContain('"storageTempMinC":-80.5,"storageTempMaxC":-60');
    expect(res.body).toContain('"preservedAt":"2026-11-01T09:15:00.000Z","expiresOn":"2030-01-31"');
    expect(res.body).toContain('"onsetAt":"2026-11-21T00:00:00.007Z"');
    expect(res.body).toContain('"reportDueOn":"2027-01-05"');
    expect(res.body).toContain('"dispositions":[]');
    expect(res.body).not.toMatch(/\+\d\d:\d\d"/);
    const trace = res.json();
    expect(trace.unit.expiresOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(trace.donor.deliveryDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(trace.lot.recoveredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('gives the instants Prisma wrote, unshifted by any time zone', async () => {
    const lot = await t.database.prisma.lot.findUniqueOrThrow({ where: { id: chain.lotId } });
    const trace = (await auditor.get(`/lots/${chain.lotId}/trace`)).json();
    expect(trace.lot.recoveredAt).toBe(lot.recoveredAt.toISOString());
    expect(trace.lot.units.map((u: { volumeMl: number | null }) => u.volumeMl)).toEqual([12.5, 3, null]);
    expect(trace.lot.units[0].administration.administeredAt).toBe('2026-11-20T23:30:00.000Z');
  });

  it('keeps the forms in exposures, an investigation and a recall report', async () => {
    const exposures = await auditor.get(`/patients/${patientId}/exposures`);
    expect(exposures.body).toContain('"administeredAt":"2026-11-20T23:30:00.000Z"');
    const investigation = await auditor.get(`/adverse-reactions/${reactionId}`);
    expect(investigation.statusCode, investigation.body).toBe(200);
    expect(investigation.body).toContain('"reportedAt":"2026-11-21T01:00:00.000Z","reportDueOn":"2027-01-05"');
    const recall = await t.admin.get(`/recalls/${recallId}`);
    expect(recall.statusCode, recall.body).toBe(200);
    expect(recall.json()).toMatchObject({
      initiatedAt: '2026-11-24T00:00:00.000Z',
      held: [],
      administered: [{ facilityId: f.clinicId, units: [{ code: chain.units[0]!.code, patientId, medicalRecordNumber: 'MRN-WIRE' }] }],
      discarded: [],
      other: [],
      totals: { held: 0, administered: 1, discarded: 0, other: 0 },
    });
  });
});
