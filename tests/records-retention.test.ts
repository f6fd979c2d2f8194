import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { daysAgo, uniqueDonorCode } from './support/donor-fixtures.ts';

// Records are kept for 10 years (21 CFR 1271.270(d)) and traceability data for 30 (2004/23/EC
// art. 8(4)): nothing the service offers deletes or replaces a record.
describe.each(engines)('retention of records on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());

  it('offers no operation that deletes or replaces a record, and answers none to a DELETE, PUT or PATCH [REQ-REC-02]', async () => {
    const document = (await t.as(null).get('/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
    const methods = new Set(Object.values(document.paths).flatMap((operations) => Object.keys(operations).filter((k) => k !== 'parameters')));
    expect([...methods].sort()).toEqual(['get', 'post']);

    const hospital = (await t.admin.post('/facilities', { kind: 'hospital', name: 'St. Mary Maternity' })).json();
    const created = await t.admin.post('/donors', { donorCode: uniqueDonorCode(), deliveryFacilityId: hospital.id, deliveryDate: daysAgo(2), gestationalAgeWeeks: 38, deliveryMode: 'scheduled_caesarean' });
    expect(created.statusCode, created.body).toBe(201);
    const donor = created.json();
    const eventsBefore = (await t.admin.get('/audit-events/verification')).json();
    for (const method of ['DELETE', 'PUT', 'PATCH'] as const) {
      for (const url of [`/donors/${donor.id}`, `/facilities/${hospital.id}`, '/audit-events']) {
        const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${t.adminKey}` }, ...(method === 'DELETE' ? {} : { payload: { donorCode: 'REPLACED' } }) });
        expect([404, 405], `${method} ${url}: ${res.body}`).toContain(res.statusCode);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    }
    expect((await t.admin.get(`/donors/${donor.id}`)).json()).toEqual(donor);
    const eventsAfter = (await t.admin.get('/audit-events/verification')).json();
    expect(eventsAfter).toEqual(eventsBefore);
  });
});
