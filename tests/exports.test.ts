import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type Client, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { hoursAgo, seedChain, seedFacilities, type ChainFacilities, type SeededChain } from './support/chain-fixtures.ts';
import { signed } from './support/signing.ts';

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

const ndjson = (text: string) => text.trimEnd().split('\n').map((line) => JSON.parse(line));

describe.each(engines)('exports on %s', (engine) => {
  let t: TestApp;
  let f: ChainFacilities;
  let chain: SeededChain;
  let auditor: Client;
  let clinician: Client;
  let recallId: string;

  const get = (url: string, accept?: string) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.adminKey}`, ...(accept ? { accept } : {}) } });

  beforeAll(async () => {
    t = await startTestApp(engine);
    f = await seedFacilities(t.database.prisma);
    chain = await seedChain(t.database.prisma, f, { units: 4 });
    auditor = await t.keyFor('auditor');
    clinician = await t.keyFor('clinician', { facilityId: f.clinicId });
    const patient = (await clinician.post('/patients', { medicalRecordNumber: 'MRN-EXP-1' })).json();
    const given = await clinician.post('/administrations', {
      unitCode: chain.units[0]!.code, patientId: patient.id, administeredAt: hoursAgo(2), anatomicalSite: 'heel', indication: 'burn',
    });
    expect(given.statusCode, given.body).toBe(201);
    const recall = await t.admin.post('/recalls', { scope: 'lot', lotId: chain.lotId, reason: 'test recall', ...signed('responsibility') });
    expect(recall.statusCode, recall.body).toBe(201);
    recallId = recall.json().id;
  });
  afterAll(async () => t?.close());

  it('exports the inventory as CSV by default and as NDJSON on request, as attachments, row for row what GET /inventory lists [REQ-REC-04]', async () => {
    const fresh = await seedChain(t.database.prisma, f, { units: 3 });
    const listed = (await get(`/inventory?facilityId=${f.clinicId}&limit=200`)).json().items;
    const csv = await get(`/exports/inventory?facilityId=${f.clinicId}`);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="inventory-\d{4}-\d{2}-\d{2}\.csv"$/);
    const [header, ...rows] = parseCsv(csv.body);
    expect(header).toEqual(expect.arrayContaining(['id', 'code', 'printedCode', 'status', 'expiresOn', 'locationFacilityId']));
    expect(rows.map((r) => r[header!.indexOf('code')]).sort()).toEqual(listed.map((u: { code: string }) => u.code).sort());
    expect(rows.length).toBeGreaterThanOrEqual(fresh.units.length);

    for (const res of [await get(`/exports/inventory?facilityId=${f.clinicId}&format=ndjson`), await get(`/exports/inventory?facilityId=${f.clinicId}`, 'application/x-ndjson')]) {
      expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
      expect(res.headers['content-disposition']).toMatch(/\.ndjson"$/);
      // Exports read in primary key order, the list in order of creation: the same rows.
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      expect(ndjson(res.body).sort(byId)).toEqual([...listed].sort(byId));
    }
  });

  it('exports a recall’s reach with consignees and patients, and a lot’s and a donor’s forward trace, recorded as trace reads [REQ-REC-04]', async () => {
    const report = (await auditor.get(`/recalls/${recallId}`)).json();
    const reachFile = await auditor.get(`/exports/recalls/${recallId}?format=ndjson`);
    expect(reachFile.headers['content-disposition']).toBe(`attachment; filename="recall-${recallId}.ndjson"`);
    const reach = ndjson(reachFile.body);
    expect(reach).toHaveLength(4);
    expect(reach.filter((r) => r.outcome === 'held')).toHaveLength(report.totals.held);
    expect(reach.find((r) => r.outcome === 'administered')).toMatchObject({ unitCode: chain.units[0]!.code, facilityId: f.clinicId, medicalRecordNumber: 'MRN-EXP-1' });

    const lotFile = await auditor.get(`/exports/lots/${chain.lotId}/trace`);
    expect(lotFile.headers['content-disposition']).toBe(`attachment; filename="lot-${chain.lotId}-trace.csv"`);
    const lot = parseCsv(lotFile.body);
    const [header, ...rows] = lot;
    expect(rows).toHaveLength(4);
    const col = (name: string) => header!.indexOf(name);
    const given = rows.find((r) => r[col('unitCode')] === chain.units[0]!.code)!;
    expect(given[col('medicalRecordNumber')]).toBe('MRN-EXP-1');
    expect(given[col('status')]).toBe('administered');
    expect(rows.every((r) => r[col('din')] === chain.din && r[col('donorCode')] === chain.donorCode)).toBe(true);
    const donorFile = await auditor.get(`/exports/donors/${chain.donorId}/trace?format=ndjson`);
    expect(donorFile.headers['content-disposition']).toBe(`attachment; filename="donor-${chain.donorId}-trace.ndjson"`);
    const donor = ndjson(donorFile.body);
    expect(donor.map((r) => r.unitCode).sort()).toEqual(chain.units.map((u) => u.code).sort());
    const reads = await (await t.auditLog()).findMany({ where: { action: { in: ['lot.trace_read', 'donor.trace_read'] }, entityId: { in: [chain.lotId, chain.donorId] } } });
    expect(reads.map((e) => e.after)).toEqual(expect.arrayContaining([{ export: 'csv' }, { export: 'ndjson' }]));
  });

  it('neutralises spreadsheet formulas in CSV cells and keeps them as they are in NDJSON', async () => {
    await t.database.prisma.unit.update({ where: { id: chain.units[1]!.id }, data: { description: '=HYPERLINK("http://x")' } });
    const [header, ...rows] = parseCsv((await auditor.get(`/exports/lots/${chain.lotId}/trace`)).body);
    expect(rows.find((r) => r[header!.indexOf('unitId')] === chain.units[1]!.id)![header!.indexOf('description')]).toBe(`'=HYPERLINK("http://x")`);
    const lines = ndjson((await auditor.get(`/exports/lots/${chain.lotId}/trace?format=ndjson`)).body);
    expect(lines.find((r) => r.unitId === chain.units[1]!.id).description).toBe('=HYPERLINK("http://x")');
  });

  it('exports the audit trail exactly as GET /audit-events serves it, every page, for the archive [REQ-REC-04]', async () => {
    const pages: unknown[] = [];
    for (let after: string | null = '0'; after !== null; ) {
      const page: { items: unknown[]; nextCursor: string | null } = (await get(`/audit-events?limit=500&after=${after}`)).json();
      pages.push(...page.items);
      after = page.nextCursor;
    }
    const res = await get('/exports/audit-events?format=ndjson');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-events-\d{4}-\d{2}-\d{2}\.ndjson"$/);
    const exported = ndjson(res.body);
    // The export and the export's own request may have added read events after the pages were read.
    expect(exported.slice(0, pages.length)).toEqual(pages);
    const csv = parseCsv((await get('/exports/audit-events?entityType=recall')).body);
    expect(csv[0]).toEqual(['seq', 'occurredAt', 'actorKeyId', 'actorName', 'actorRole', 'action', 'entityType', 'entityId', 'before', 'after', 'reason', 'requestId', 'leafHash', 'integratedAt']);
    expect(csv.slice(1).map((r) => r[5])).toEqual(['recall.created']);
  });

  it('refuses what the caller may not see, unknown records and unknown formats before sending a byte', async () => {
    expectProblem(await clinician.get(`/exports/inventory?facilityId=${f.bankId}`), 403, 'forbidden');
    expectProblem(await clinician.get(`/exports/audit-events`), 403, 'forbidden');
    expectProblem(await auditor.get('/exports/recalls/00000000-0000-4000-8000-000000000000'), 404, 'not_found');
    expectProblem(await auditor.get('/exports/lots/00000000-0000-4000-8000-000000000000/trace'), 404, 'not_found');
    expectProblem(await get('/exports/inventory', 'application/pdf'), 406, 'not_acceptable');
    expectProblem(await get('/exports/inventory?format=xlsx'), 400, 'validation_failed');
  });
});

describe.each(engines)('an export of 10^5 rows on %s', (engine) => {
  let t: TestApp;
  let base: string;
  let lotId: string;
  const ROWS = 100_000;

  beforeAll(async () => {
    t = await startTestApp(engine);
    const f = await seedFacilities(t.database.prisma);
    const chain = await seedChain(t.database.prisma, f, { units: 1 });
    lotId = chain.lotId;
    // 10^5 released units of one lot at the bank, written by the database itself.
    await t.database.prisma.$executeRawUnsafe(
      `INSERT INTO unit (id, code, lot_id, product_code, division, description, form, expires_on, status, location_facility_id)
       SELECT gen_random_uuid(), $1 || 'T' || lpad((i % 10000)::text, 4, '0') || lpad((i / 10000)::text, 3, '0'), $2::uuid,
              'T' || lpad((i % 10000)::text, 4, '0'), lpad((i / 10000)::text, 3, '0'), 'Dehydrated amniotic membrane 2 x 3 cm', 'sheet',
              (current_date + 365), 'released', $3::uuid
       FROM generate_series(1, ${ROWS}) AS i`,
      chain.din, chain.lotId, f.bankId,
    );
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => t?.close());

  /** Streams an export as a client reads it, sampling retained heap (garbage collected first) every 2 MiB. */
  async function streamed(path: string) {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const retained = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const before = retained();
    let peak = before;
    let bytes = 0;
    let lines = 0;
    let sampledAt = 0;
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${t.adminKey}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      for (const byte of value) if (byte === 10) lines++;
      if (bytes - sampledAt > 2 ** 21) {
        sampledAt = bytes;
        peak = Math.max(peak, retained());
      }
    }
    const grewMiB = (peak - before) / 2 ** 20;
    const fileMiB = bytes / 2 ** 20;
    console.log(`${path} on ${engine}: ${lines} lines, ${fileMiB.toFixed(1)} MiB sent, retained heap at most +${grewMiB.toFixed(1)} MiB over the start`);
    return { lines, fileMiB, grewMiB };
  }

  it('streams the inventory with memory flat: what the process holds stays bounded, far below the size of the file [REQ-REC-04]', async () => {
    const { lines, fileMiB, grewMiB } = await streamed('/exports/inventory?format=ndjson');
    expect(lines).toBe(ROWS + 1);
    expect(fileMiB).toBeGreaterThan(40);
    // Holding the rows or the file would retain more than the file itself; a stream holds a batch.
    expect(grewMiB).toBeLessThan(16);
  }, 600_000);

  it('streams a lot’s forward trace of 10^5 units in keyset batches with memory flat [REQ-REC-04]', async () => {
    const { lines, fileMiB, grewMiB } = await streamed(`/exports/lots/${lotId}/trace?format=ndjson`);
    expect(lines).toBe(ROWS + 1);
    expect(fileMiB).toBeGreaterThan(40);
    expect(grewMiB).toBeLessThan(16);
  }, 600_000);
});
