import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions, loggedUrl, redactPaths, scrubErrorText } from '../src/http/logging.ts';
import { loadConfig } from '../src/config.ts';

describe.each(engines)('HTTP conventions on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());

  it('answers 400 listing every failing field, and writes nothing', async () => {
    const before = await t.database.prisma.facility.count();
    const res = await t.admin.post('/facilities', { kind: 'spaceport', isbtFacilityId: 'TOO-LONG' });
    const body = expectProblem(res, 400, 'validation_failed');
    expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.isbtFacilityId', 'body.kind', 'body.name']);
    expect(await t.database.prisma.facility.count()).toBe(before);
  });

  it('names query fields as query.x, as a 422 names its fields', async () => {
    const body = expectProblem(await t.admin.get('/facilities?limit=0&kind=spaceport'), 400, 'validation_failed');
    expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['query.kind', 'query.limit']);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/facilities',
      headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
      payload: '{"kind":',
    });
    expectProblem(res, 400, 'bad_request');
  });

  it('answers problem+json for a URL Fastify cannot decode, and for a body of an unsupported type', async () => {
    const badUrl = expectProblem(await t.admin.get('/facilities/%zz'), 400, 'bad_request');
    expect(badUrl.detail).toMatch(/not a valid url/);
    const xml = await t.app.inject({
      method: 'POST',
      url: '/facilities',
      headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/xml' },
      payload: '<facility/>',
    });
    expectProblem(xml, 415, 'unsupported_media_type');
  });

  it('answers 404 problem+json for an unknown record and an unknown route', async () => {
    expectProblem(await t.admin.get('/facilities/6f1c1f5e-8a77-4d7e-9e51-3f8e0f0b1a11'), 404, 'not_found');
    expectProblem(await t.admin.get('/no-such-route'), 404, 'not_found');
  });

  it('answers a path no route has 404, and a method a path does not answer 405, whatever else is wrong with the request', async () => {
    const admin = { authorization: `Bearer ${t.adminKey}` };
    // Too long (414 on a route), not decodable (400 on a route), a body that does not parse:
    // on a path without an operation, the document can only promise 404.
    expectProblem(await t.app.inject({ method: 'GET', url: `/no-such-route/${'a'.repeat(5000)}` }), 404, 'not_found');
    expectProblem(await t.app.inject({ method: 'GET', url: '/no-such-route/%zz', headers: admin }), 404, 'not_found');
    expectProblem(await t.app.inject({ method: 'GET', url: `/lots/${'a'.repeat(150)}/no-such` }), 404, 'not_found');
    const emptyJson = await t.app.inject({ method: 'POST', url: '/health', headers: { ...admin, 'content-type': 'application/json' } });
    expectProblem(emptyJson, 405, 'method_not_allowed');
    expect(emptyJson.headers.allow).toBe('GET, HEAD');
    const badJson = await t.app.inject({ method: 'POST', url: '/no-such-route', headers: { 'content-type': 'application/json' }, payload: '{"a":' });
    expectProblem(badJson, 404, 'not_found');
    // An empty segment where an id belongs is no path of the API: 404 before the key is checked.
    expectProblem(await t.app.inject({ method: 'GET', url: '/lots//trace' }), 404, 'not_found');
    expectProblem(await t.app.inject({ method: 'POST', url: '/lots//release', headers: admin, payload: {} }), 404, 'not_found');
    // A route still answers what it documents.
    expectProblem(await t.app.inject({ method: 'GET', url: `/lots/${'a'.repeat(150)}`, headers: admin }), 414, 'uri_too_long');
    expectProblem(await t.app.inject({ method: 'GET', url: `/facilities?kind=${'a'.repeat(5000)}`, headers: admin }), 414, 'uri_too_long');
  });

  it('echoes a well-formed x-request-id and makes one otherwise', async () => {
    const given = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const made = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('says in /ready which engine runs and, embedded, that it is not durable', async () => {
    const ready = (await t.as(null).get('/ready')).json();
    expect(ready).toMatchObject({ status: 'ready', engine, database: 'reachable', pendingMigrations: [] });
    if (engine === 'pglite') {
      expect(ready.durable).toBe(false);
      expect(ready.warning).toMatch(/not an OS crash.*PostgreSQL/);
    } else {
      expect(ready.durable).toBe(true);
    }
  });

  it('creates, reads and pages facilities', async () => {
    const names = ['Bank A', 'Clinic B', 'Hospital C'];
    const kinds = ['tissue_bank', 'clinic', 'hospital'];
    for (const [i, name] of names.entries()) {
      const res = await t.admin.post('/facilities', { kind: kinds[i], name, registrationNumber: `FEI-${i}` });
      expect(res.statusCode).toBe(201);
      expect((await t.admin.get(`/facilities/${res.json().id}`)).json().name).toBe(name);
    }
    const first = (await t.admin.get('/facilities?limit=2')).json();
    expect(first.items).toHaveLength(2);
    const second = (await t.admin.get(`/facilities?limit=2&cursor=${first.nextCursor}`)).json();
    const all = [...first.items, ...second.items].map((f: { name: string }) => f.name);
    expect(all).toEqual(expect.arrayContaining(names));
    expect(new Set(all).size).toBe(all.length);
    const clinics = (await t.admin.get('/facilities?kind=clinic')).json().items;
    expect(clinics.every((f: { kind: string }) => f.kind === 'clinic')).toBe(true);
  });

  it('refuses a second facility with the same ISBT 128 facility identification number', async () => {
    expect((await t.admin.post('/facilities', { kind: 'tissue_bank', name: 'One', isbtFacilityId: 'A9999' })).statusCode).toBe(201);
    expectProblem(await t.admin.post('/facilities', { kind: 'tissue_bank', name: 'Two', isbtFacilityId: 'A9999' }), 409, 'conflict');
  });
});

describe.each(engines)('readiness on %s', (engine) => {
  it('answers 503 naming the migrations the database lacks', async () => {
    const t = await startTestApp(engine);
    try {
      await t.database.prisma.$executeRawUnsafe('DELETE FROM _prisma_migrations');
      const res = await t.as(null).get('/ready');
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'not_ready', database: 'reachable', pendingMigrations: t.app.shippedMigrations });
    } finally {
      await t.close();
    }
  });
});

describe('log redaction', () => {
  it('logs the path and allowlisted query keys only, never a patient identifier under any spelling', () => {
    const facility = '6f1c1f5e-8a77-4d7e-9e51-3f8e0f0b1a11';
    expect(loggedUrl(`/patients?medicalRecordNumber=MRN123&facilityId=${facility}`)).toEqual({ path: '/patients', query: { facilityId: facility } });
    for (const key of ['medicalRecordNumber[]', 'medical_record_number', 'MRN', 'mrn', 'patient', 'q']) {
      expect(JSON.stringify(loggedUrl(`/patients?${encodeURIComponent(key)}=MRN-77&limit=5`))).not.toMatch(/MRN-77/);
    }
    // An allowlisted key with a value that is not a plain code keeps its key only.
    expect(loggedUrl('/audit-events?entityId=John%20Smith')).toEqual({ path: '/audit-events', query: { entityId: '[omitted]' } });
    expect(loggedUrl('/units/ABC')).toEqual({ path: '/units/ABC' });
  });

  it('covers the Authorization header and patient identifier fields', () => {
    expect(redactPaths).toEqual(expect.arrayContaining(['req.headers.authorization', 'medicalRecordNumber', '*.medicalRecordNumber']));
  });

  it('blanks the values PostgreSQL and Prisma echo in error messages', () => {
    const text = scrubErrorText(
      'Key (facility_id, medical_record_number)=(f1, MRN-1) already exists. Failing row contains (1, MRN-2). medicalRecordNumber: "MRN-3", mrn=MRN-4',
    );
    expect(text).not.toMatch(/MRN-\d/);
  });

  it('logs an error without its driver detail, arguments or identifiers', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const options = loggerOptions(loadConfig({ LOG_LEVEL: 'info' })) as pino.LoggerOptions;
    const log = pino(options, sink);
    const error = Object.assign(new Error('Unique constraint failed: Key (medical_record_number)=(MRN-5) already exists'), {
      code: 'P2002',
      meta: { driverAdapterError: { detail: 'MRN-6' } },
      cause: new Error('Failing row contains (7, MRN-7).'),
    });
    log.error({ err: error, req: { method: 'GET', url: '/patients?mrn=MRN-8', headers: { authorization: 'Bearer atk_secret' } } }, 'request failed');
    const out = lines.join('');
    expect(out).toContain('P2002');
    expect(out).not.toMatch(/MRN-\d|atk_secret/);
  });
});
