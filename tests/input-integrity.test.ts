// Hostile input answers 4xx as problem+json, never 500, and writes nothing: text that cannot be
// stored as sent, dates outside the accepted range, numbers past their column, framework errors.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toProblem, sqlStateOf } from '../src/http/problems.ts';
import { textProblem, identifierProblem, inputIssues, MAX_INPUT_DEPTH } from '../src/domain/shared/input-rules.ts';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { dateOnly, daysFromNow, ok, readyLot, refusedWithoutWrites, setupBank, type Bank } from './support/lot-fixtures.ts';
import { signed } from './support/signing.ts';

const unitBody = (extra: Record<string, unknown> = {}) => ({
  productCode: 'T0001',
  description: 'Dehydrated amniotic membrane',
  form: 'sheet',
  expiresOn: dateOnly(daysFromNow(365)),
  ...extra,
});

describe('the input rules', () => {
  it('refuse lone surrogates, NUL and control characters, and allow line breaks only in multi-line text', () => {
    expect(textProblem('a\ud800b')).toMatch(/well-formed/);
    expect(textProblem('a\udc00')).toMatch(/well-formed/);
    expect(textProblem('a\u0000b')).toMatch(/NUL/);
    for (const c of ['\u0001', '\u001b', '\u007f', '\u0085', '\u009f']) expect(textProblem(`a${c}b`)).toMatch(/control/);
    expect(textProblem('line one\nline two\tend\r\n')).toBeNull();
    expect(textProblem('line one\nline two', { multiline: false })).toMatch(/single line/);
    expect(textProblem('emoji 🧬 and U+FFFD \ufffd are fine')).toBeNull();
  });

  it('keep identifiers exact: no surrounding spaces, NFC only', () => {
    expect(identifierProblem('MRN-0001')).toBeNull();
    expect(identifierProblem(' MRN-0001')).toMatch(/spaces/);
    expect(identifierProblem('MRN-0001 ')).toMatch(/spaces/);
    expect(identifierProblem('Ame\u0301lie')).toMatch(/NFC/);
    expect(identifierProblem('Am\u00e9lie')).toBeNull();
  });

  it('walk any input without recursion, property names included, and stop deep nesting', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(inputIssues(deep, 'body')[0]!.message).toMatch(new RegExp(`${MAX_INPUT_DEPTH} levels`));
    expect(inputIssues({ ['k\ud800']: 1 }, 'body')[0]!.message).toMatch(/property name/);
    expect(inputIssues({ a: [{ b: 'fine' }, { c: 'x\u0000' }] }, 'body')).toEqual([{ field: 'body.a.1.c', message: 'must not contain a NUL character' }]);
  });

  it('map database errors the input can cause to 4xx, by SQLSTATE wherever the driver put it', () => {
    const request = { url: '/x', id: 'r1' } as never;
    const wrapped = (state: string) => Object.assign(new Error('driver'), { meta: { driverAdapterError: { cause: { kind: 'postgres', code: state } } } });
    expect(sqlStateOf(wrapped('22P05'))).toBe('22P05');
    expect(toProblem(wrapped('22021') as never, request).status).toBe(400);
    expect(toProblem(wrapped('54000') as never, request).status).toBe(400);
    expect(toProblem(wrapped('23514') as never, request).status).toBe(422);
    expect(toProblem(wrapped('57014') as never, request).status).toBe(503);
    expect(toProblem(Object.assign(new Error('x'), { code: 'P2020' }) as never, request).status).toBe(400);
    expect(toProblem(Object.assign(new Error('x'), { code: 'P2028' }) as never, request).status).toBe(503);
    expect(toProblem(Object.assign(new Error('x'), { cause: { originalCode: '23505' } }) as never, request).status).toBe(409);
    // Not caused by input: stays a 500, and says nothing of the driver.
    const bug = toProblem(wrapped('42P01') as never, request);
    expect(bug.status).toBe(500);
    expect(bug.detail).not.toMatch(/driver/);
  });
});

describe.each(engines)('hostile input on %s', (engine) => {
  let t: TestApp;
  let bank: Bank;
  let clinician: Awaited<ReturnType<TestApp['keyFor']>>;
  beforeAll(async () => {
    t = await startTestApp(engine);
    bank = await setupBank(t);
    clinician = bank.clinician;
  });
  afterAll(async () => t?.close());

  it('refuses a lone surrogate, a NUL or a control character in any text, query or path, writing nothing', async () => {
    const lot = await readyLot(t, bank);
    const cases = [
      () => t.admin.post('/facilities', { kind: 'clinic', name: 'Clinic \ud800' }),
      () => t.admin.post('/facilities', { kind: 'clinic', name: 'Clinic \u0000' }),
      () => t.admin.post('/facilities', { kind: 'clinic', name: 'Clinic\u001b[31m' }),
      () => t.admin.post('/facilities', { kind: 'clinic', name: 'Two\nlines' }),
      () => t.admin.post(`/api-keys/${bank.auditor.keyId}/revocation`, { reason: 'left \udfff' }),
      () => bank.quality.post(`/lots/${lot.id}/reject`, { decidedAt: new Date().toISOString(), reason: 'bad\u0000', ...signed('review') }),
      () => clinician.post('/patients', { medicalRecordNumber: 'MRN\ud800' }),
      () => t.admin.post('/recalls', { scope: 'lot', lotId: lot.id, reason: 'x\ud83d', ...signed('responsibility') }),
      () => t.admin.post('/facilities', { kind: 'clinic', name: 'fine', ['extra\ud800']: 1 }),
      () => t.admin.get('/audit-events?entityType=%00'),
      () => t.admin.get('/audit-events?action=a%ED%A0%80'),
      () => t.admin.get('/units/W123426000001%00T0001A01'),
      () => t.admin.get(`/lots/${lot.id}%00`),
    ];
    for (const send of cases) {
      const res = await refusedWithoutWrites(t, send);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('stores text exactly as sent: multi-line fields keep their line breaks, nothing is trimmed', async () => {
    const lot = await readyLot(t, bank);
    const reason = ' Rejected: \n\tvisible tear\r\n ';
    const decision = await ok(bank.quality.post(`/lots/${lot.id}/reject`, { decidedAt: new Date().toISOString(), reason, ...signed('review') }), 201);
    expect(decision.reason).toBe(reason);
    const name = ' Clinic with spaces ';
    expect((await ok(t.admin.post('/facilities', { kind: 'clinic', name }), 201)).name).toBe(name);
    expectProblem(await t.admin.post('/facilities', { kind: 'clinic', name: '   ' }), 400, 'validation_failed');
  });

  it('never stores two different medical record numbers as the same value', async () => {
    const first = await ok(clinician.post('/patients', { medicalRecordNumber: 'MRN-\ufffd' }), 201);
    for (const hostile of ['MRN-\ud800', 'MRN-\udc00', ' MRN-\ufffd', 'MRN-\ufffd ', 'MRN-\u0000']) {
      expectProblem(await refusedWithoutWrites(t, () => clinician.post('/patients', { medicalRecordNumber: hostile })), 400, 'validation_failed');
    }
    const found = (await clinician.get(`/patients?medicalRecordNumber=${encodeURIComponent('MRN-\ufffd')}`)).json();
    expect(found.items.map((p: { id: string }) => p.id)).toEqual([first.id]);
    // NFC and NFD spellings of one name: only the NFC one is accepted, so they cannot become two patients.
    await ok(clinician.post('/patients', { medicalRecordNumber: 'Am\u00e9lie-7' }), 201);
    expectProblem(await clinician.post('/patients', { medicalRecordNumber: 'Ame\u0301lie-7' }), 400, 'validation_failed');
  });

  it('refuses a body that is not valid UTF-8, and nesting deeper than any route needs', async () => {
    const bytes = Buffer.concat([Buffer.from('{"kind":"clinic","name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const headers = { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' };
    expectProblem(await refusedWithoutWrites(t, () => t.app.inject({ method: 'POST', url: '/facilities', headers, payload: bytes })), 400, 'validation_failed');
    const deep = `{"kind":"clinic","name":"x","extra":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expectProblem(await refusedWithoutWrites(t, () => t.app.inject({ method: 'POST', url: '/facilities', headers, payload: deep })), 400, 'validation_failed');
  });

  it('accepts every date and instant from 1900 to 2199 only, whatever the offset', async () => {
    const donor = (date: string) => ({ donorCode: `D-${Math.random().toString(36).slice(2, 8).toUpperCase()}`, deliveryFacilityId: bank.hospitalId, deliveryDate: date, gestationalAgeWeeks: 39, deliveryMode: 'scheduled_caesarean' });
    for (const date of ['0000-01-01', '0001-01-01', '1899-12-31', '2200-01-01', '9999-12-31', '2026-02-30']) {
      const res = await refusedWithoutWrites(t, () => bank.coordinator.post('/donors', donor(date)));
      expect(expectProblem(res, 400, 'validation_failed').errors[0].field).toBe('body.deliveryDate');
    }
    const lot = await readyLot(t, bank);
    for (const at of ['0000-01-01T00:00:00Z', '9999-12-31T23:00:00-12:00', '2199-12-31T23:00:00-12:00', '1900-01-01T05:00:00+06:00', '+275760-09-13T00:00:00Z']) {
      const res = await refusedWithoutWrites(t, () => bank.quality.post(`/lots/${lot.id}/reject`, { decidedAt: at, reason: 'range', ...signed('review') }));
      expect(expectProblem(res, 400, 'validation_failed').errors[0].field).toBe('body.decidedAt');
    }
    const res = await bank.coordinator.post(`/lots/${lot.id}/units`, { units: [unitBody({ expiresOn: '2200-01-01' })] });
    expectProblem(res, 400, 'validation_failed');
  });

  it('refuses numbers past their column: sequence numbers beyond bigint, decimals with more places than stored', async () => {
    for (const url of ['/audit-events?after=9223372036854775808', '/audit-events?after=99999999999999999999999', '/audit-events/9223372036854775808/inclusion-proof', '/audit-log/heads/9223372036854775808', '/audit-log/consistency-proof?first=1&second=1e400']) {
      expectProblem(await t.admin.get(url), 400, 'validation_failed');
    }
    expect((await t.admin.get('/audit-events?after=9223372036854775807')).statusCode).toBe(200);
    const lot = await readyLot(t, bank);
    const preservation = { method: 'dehydrated', storageTempMaxC: 30, storageLocation: 'Shelf', preservedAt: new Date().toISOString(), expiresOn: dateOnly(daysFromNow(700)) };
    for (const min of [15.555, 1e-300, -1e308]) {
      expectProblem(await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/preservation`, { ...preservation, storageTempMinC: min })), 400, 'validation_failed');
    }
    for (const volumeMl of [0.001, 1e300]) {
      expectProblem(await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/units`, { units: [unitBody({ volumeMl })] })), 400, 'validation_failed');
    }
  });

  it('answers 409 when a lot runs out of automatic division codes for a product, and goes on for another product', async () => {
    const lot = await readyLot(t, bank);
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const taken = [...letters].flatMap((l) => Array.from({ length: 99 }, (_, i) => `${l}${String(i + 1).padStart(2, '0')}`));
    await t.database.prisma.unit.createMany({
      data: taken.map((division) => ({ code: `${lot.din}T0001${division}`, lotId: lot.id, productCode: 'T0001', division, description: 'seeded', form: 'sheet', expiresOn: daysFromNow(365), status: 'quarantine' as const, locationFacilityId: bank.bankId })),
    });
    const res = await refusedWithoutWrites(t, () => bank.coordinator.post(`/lots/${lot.id}/units`, { units: [unitBody()] }));
    expect(expectProblem(res, 409, 'conflict').detail).toMatch(/no division code left for product T0001/);
    const other = await ok(bank.coordinator.post(`/lots/${lot.id}/units`, { units: [unitBody({ productCode: 'T0002' })] }), 201);
    expect(other.items[0].division).toBe('A01');
    // An explicit free code still works for the exhausted product.
    expect((await ok(bank.coordinator.post(`/lots/${lot.id}/units`, { units: [unitBody({ division: 'ZZZ' })] }), 201)).items[0].code).toBe(`${lot.din}T0001ZZZ`);
  });

  it('answers 405 with Allow for a known path called with another method, 404 for an unknown path', async () => {
    const headers = { authorization: `Bearer ${t.adminKey}` };
    const res = await t.app.inject({ method: 'DELETE', url: '/donors', headers });
    expectProblem(res, 405, 'method_not_allowed');
    expect(res.headers.allow).toBe('GET, HEAD, POST');
    const unit = await t.app.inject({ method: 'PUT', url: '/units/W123426000001T0001A01', headers });
    expectProblem(unit, 405, 'method_not_allowed');
    expect(unit.headers.allow).toBe('GET, HEAD');
    const post = await t.app.inject({ method: 'PATCH', url: '/lots/6f1c1f5e-8a77-4d7e-9e51-3f8e0f0b1a11/release', headers });
    expect(post.headers.allow).toBe('POST');
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/nowhere', headers }), 404, 'not_found');
  });

  it('answers 414 for an over-long URL or path parameter', async () => {
    expectProblem(await t.admin.get(`/units/${'A'.repeat(101)}`), 414, 'uri_too_long');
    expectProblem(await t.admin.get(`/facilities?kind=${'a'.repeat(5000)}`), 414, 'uri_too_long');
  });
});

describe('errors raised before routing, on a real socket', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp('pglite', { env: { REQUEST_TIMEOUT_MS: '1500' } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => t?.close());

  /** Sends raw bytes, optionally trickling more, and resolves with the whole answer and when it came. */
  function raw(first: string, trickle?: string): Promise<{ text: string; ms: number }> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const socket = connect(port, '127.0.0.1', () => socket.write(first));
      let text = '';
      let timer: NodeJS.Timeout | undefined;
      if (trickle) timer = setInterval(() => socket.writable && socket.write(trickle), 500);
      socket.on('data', (chunk) => (text += chunk));
      socket.on('error', () => {});
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ text, ms: Date.now() - started });
      });
      setTimeout(() => reject(new Error(`no answer: ${text}`)), 20_000).unref();
    });
  }

  it('answers 431 problem+json for headers larger than the server accepts', async () => {
    const { text } = await raw(`GET /facilities?${'q='.padEnd(20_000, 'x')} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 431/);
    expect(text).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431, type: expect.stringMatching(/request_header_fields_too_large$/) });
  });

  it('answers 400 problem+json for a request that is not HTTP', async () => {
    const { text } = await raw('HELLO THERE\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).status).toBe(400);
  });

  it('bounds the whole request by REQUEST_TIMEOUT_MS, a body sent one byte at a time included', async () => {
    const head = `POST /facilities HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.adminKey}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`;
    const { text, ms } = await raw(head, ' ');
    expect(text).toMatch(/^HTTP\/1\.1 (408|503)/);
    expect(text).toMatch(/application\/problem\+json/i);
    expect(ms).toBeLessThan(6_000);
    expect(await t.database.prisma.facility.count({ where: { name: { startsWith: 'slow' } } })).toBe(0);
  });
});
