// The contract check itself (tests/support/contract.ts): it passes what the document declares and
// fails, saying what to fix, on an undeclared status, a wrong content type or a body off its schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.ts';
import type { ObservedResponse } from './support/contract.ts';

const problem = (status: number, extra: object = {}) =>
  JSON.stringify({ type: 'https://allograft-trace.org/problems/not_found', title: 'Not found', status, detail: 'x', requestId: 'r', ...extra });

describe('the OpenAPI contract check', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite');
  });
  afterAll(async () => t?.close());

  const check = (observed: Partial<ObservedResponse> & Pick<ObservedResponse, 'url' | 'statusCode'>) =>
    t.contract.problems({ method: 'GET', contentType: 'application/json; charset=utf-8', body: '', ...observed });

  it('passes a response the document declares', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(check({ url: '/health', statusCode: 200, body: health.body })).toEqual([]);
    const facility = (await t.admin.post('/facilities', { kind: 'clinic', name: 'Contract clinic' })).json();
    expect(check({ url: `/facilities/${facility.id}`, statusCode: 200, body: JSON.stringify(facility) })).toEqual([]);
  });

  it('fails a status the operation does not declare, naming the operation, its file and what it declares', () => {
    const [message] = check({ url: '/health', statusCode: 404, contentType: 'application/problem+json', body: problem(404) });
    expect(message).toMatch(/GET \/health answered 404/);
    expect(message).toMatch(/does not declare 404 for operation health \(GET \/health, src\/http\/routes\/health\.ts\); it declares 200, 400, 408, 414, 431, 500, 503/);
    expect(message).toMatch(/npm run openapi/);
  });

  it('fails an error that is not application/problem+json', () => {
    const [message] = check({ url: '/facilities/6f1c1f5e-8a77-4d7e-9e51-3f8e0f0b1a11', statusCode: 404, body: problem(404) });
    expect(message).toMatch(/answered 404 as application\/json, but the document declares application\/problem\+json/);
  });

  it('fails a body off its schema, with the path and the value of each problem', () => {
    const body = JSON.stringify({ id: '6f1c1f5e-8a77-4d7e-9e51-3f8e0f0b1a11', kind: 'spaceport', name: 'X', registrationNumber: null, isbtFacilityId: null, euTissueEstablishmentCode: null, createdAt: '2026-11-24' });
    const [message] = check({ url: '/facilities/6f1c1f5e-8a77-4d7e-9e51-3f8e0f0b1a11', statusCode: 200, body });
    expect(message).toMatch(/body\/kind: must be equal to one of the allowed values .*\(value: "spaceport"\)/);
    expect(message).toMatch(/body\/createdAt: must match format "date-time" .*\(value: "2026-11-24"\)/);
  });

  it('fails a problem without its required members, and a body that is not JSON', () => {
    const [missing] = check({ url: '/facilities/6f1c1f5e-8a77-4d7e-9e51-3f8e0f0b1a11', statusCode: 404, contentType: 'application/problem+json', body: '{"status":404}' });
    expect(missing).toMatch(/must have required property 'type'/);
    const [notJson] = check({ url: '/health', statusCode: 200, body: 'ok' });
    expect(notJson).toMatch(/the body is not JSON/);
  });

  it('holds routes the document does not have to 404 or 405 problems', () => {
    expect(check({ url: '/no-such-route', statusCode: 404, contentType: 'application/problem+json', body: problem(404) })).toEqual([]);
    expect(check({ method: 'DELETE', url: '/health', statusCode: 405, contentType: 'application/problem+json', body: problem(405) })).toEqual([]);
    expect(check({ url: '/no-such-route', statusCode: 200, body: '{}' })[0]).toMatch(/no operation GET for this path/);
  });

  it('matches a literal path before a templated one', () => {
    // POST /units/expiry-sweep, not POST /units/{code}/…: a sweep answers 200 with its own shape.
    const [message] = check({ method: 'POST', url: '/units/expiry-sweep', statusCode: 201, body: '{}' });
    expect(message).toMatch(/operation sweepExpiredUnits/);
  });

  it('checks every response the test client receives, and fails the test on a broken one [REQ-DOC-02]', async () => {
    const before = t.contract.checked;
    await t.admin.get('/facilities?limit=1');
    expect(t.contract.checked).toBe(before + 1);
    const original = t.contract.problems.bind(t.contract);
    t.contract.problems = () => ['broken on purpose'];
    try {
      await expect(t.admin.get('/health')).rejects.toThrow(/OpenAPI contract broken[\s\S]*broken on purpose/);
    } finally {
      t.contract.problems = original;
    }
  });
});
