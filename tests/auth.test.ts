import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';

describe.each(engines)('authentication and roles on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());

  it('answers 401 problem+json without a key', async () => {
    expectProblem(await t.as(null).get('/facilities'), 401, 'unauthenticated');
  });

  it('answers 401 for a malformed or unknown key', async () => {
    expectProblem(await t.as('not-a-key').get('/facilities'), 401, 'unauthenticated');
    expectProblem(await t.as(`atk_${'x'.repeat(40)}`).get('/facilities'), 401, 'unauthenticated');
  });

  it('answers 403 naming the allowed roles when the role may not call the route [REQ-ACCESS-02]', async () => {
    const auditor = await t.keyFor('auditor');
    const res = await auditor.post('/facilities', { kind: 'clinic', name: 'Clinic' });
    const body = expectProblem(res, 403, 'forbidden');
    expect(body.allowedRoles).toEqual(['admin', 'coordinator']);
  });

  it('stores only a hash of each key and shows the secret once', async () => {
    const created = await t.admin.post('/api-keys', { holderName: 'Dana Coordinator', role: 'coordinator' });
    expect(created.statusCode).toBe(201);
    const { key, id, prefix } = created.json();
    expect(key).toMatch(/^atk_/);
    const row = await t.database.prisma.apiKey.findUniqueOrThrow({ where: { id } });
    expect(row.secretHash).not.toContain(key.slice(12));
    expect(JSON.stringify(row)).not.toContain(key);
    const listed = (await t.admin.get('/api-keys')).json().items.find((k: { id: string }) => k.id === id);
    expect(listed).toMatchObject({ prefix, role: 'coordinator' });
    expect(listed.key).toBeUndefined();
  });

  it('refuses a revoked key at once [REQ-ACCESS-01]', async () => {
    const coordinator = await t.keyFor('coordinator');
    expect((await coordinator.get('/facilities')).statusCode).toBe(200);
    const revoked = await t.admin.post(`/api-keys/${coordinator.keyId}/revocation`, { reason: 'left the bank' });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();
    expectProblem(await coordinator.get('/facilities'), 401, 'unauthenticated');
    expectProblem(await t.admin.post(`/api-keys/${coordinator.keyId}/revocation`, { reason: 'again' }), 409, 'invalid_state');
  });

  it('requires a facility for a clinician key (if/then in the document, so a 400 on body.facilityId)', async () => {
    const body = expectProblem(await t.admin.post('/api-keys', { holderName: 'Dr. No Facility', role: 'clinician' }), 400, 'validation_failed');
    expect(body.errors).toEqual([{ field: 'body.facilityId', message: expect.stringMatching(/required for a clinician/) }]);
  });

  it('lets only admins create keys', async () => {
    const coordinator = await t.keyFor('coordinator');
    expectProblem(await coordinator.post('/api-keys', { holderName: 'x', role: 'admin' }), 403, 'forbidden');
  });

  it('keeps the public routes public', async () => {
    expect((await t.as(null).get('/health')).statusCode).toBe(200);
    expect((await t.as(null).get('/ready')).statusCode).toBe(200);
    expect((await t.as(null).get('/openapi.json')).statusCode).toBe(200);
  });
});
