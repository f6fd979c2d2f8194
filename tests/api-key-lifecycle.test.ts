// API keys with a lifecycle: every key expires, rotation issues a successor while the old key
// works for a grace period, lastUsedAt is written at most once a minute, and failed
// authentication is limited per client address and key prefix (429 with Retry-After).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { generateApiKey } from '../src/domain/auth/api-keys.ts';

const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(engines)('API key lifecycle on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine, { env: { API_KEY_DEFAULT_TTL_DAYS: '30', API_KEY_MAX_TTL_DAYS: '60', API_KEY_ROTATION_GRACE_SECONDS: '3600' } });
  });
  afterAll(async () => t?.close());

  it('gives every key an expiry: the default lifetime, or one asked for within the maximum [REQ-ACCESS-04]', async () => {
    const before = Date.now();
    const byDefault = (await t.admin.post('/api-keys', { holderName: 'Default Lifetime', role: 'coordinator' })).json();
    expect(new Date(byDefault.expiresAt).getTime()).toBeGreaterThanOrEqual(before + 30 * DAY);
    expect(new Date(byDefault.expiresAt).getTime()).toBeLessThan(Date.now() + 30 * DAY + 1000);
    expect(byDefault.status).toBe('active');
    const asked = new Date(Date.now() + 10 * DAY).toISOString();
    expect((await t.admin.post('/api-keys', { holderName: 'Short Lifetime', role: 'auditor', expiresAt: asked })).json().expiresAt).toBe(asked);
    const tooLong = await t.admin.post('/api-keys', { holderName: 'Too Long', role: 'auditor', expiresAt: new Date(Date.now() + 61 * DAY).toISOString() });
    expect(expectProblem(tooLong, 422, 'rule_violation').errors).toEqual([{ field: 'body.expiresAt', message: expect.stringMatching(/at most 60 days/) }]);
    expectProblem(await t.admin.post('/api-keys', { holderName: 'Past', role: 'auditor', expiresAt: new Date(Date.now() - 1000).toISOString() }), 422, 'rule_violation');
  });

  it('refuses an expired key with 401 saying so, to its holder only [REQ-ACCESS-04]', async () => {
    const created = (await t.admin.post('/api-keys', { holderName: 'Brief Key', role: 'auditor', expiresAt: new Date(Date.now() + 1500).toISOString() })).json();
    const holder = t.as(created.key);
    expect((await holder.get('/facilities')).statusCode).toBe(200);
    await sleep(Math.max(0, new Date(created.expiresAt).getTime() - Date.now()) + 50);
    expect(expectProblem(await holder.get('/facilities'), 401, 'unauthenticated').detail).toMatch(/expired/);
    // A guess at the same prefix learns nothing of the key's state.
    expect(expectProblem(await t.as(`${created.key.slice(0, 12)}${'x'.repeat(40)}`).get('/facilities'), 401, 'unauthenticated').detail).not.toMatch(/expired/);
    const listed = (await t.admin.get('/api-keys')).json().items.find((k: { id: string }) => k.id === created.id);
    expect(listed.status).toBe('expired');
  });

  it('rotates a key: the successor works at once, the old key until its grace period ends, then 401 [REQ-ACCESS-04]', async () => {
    const old = await t.keyFor('quality', { holderName: 'Rotating Quinn' });
    // A grace of a few seconds: long enough for the four requests below on a loaded machine.
    const res = await old.post(`/api-keys/${old.keyId}/rotation`, { reason: 'quarterly rotation', graceSeconds: 4 });
    expect(res.statusCode, res.body).toBe(201);
    const successor = res.json();
    expect(successor).toMatchObject({ holderName: 'Rotating Quinn', role: 'quality', rotatedFromId: old.keyId, status: 'active' });
    expect(successor.key).not.toBe(old.key);
    expect((await t.as(successor.key).get('/facilities')).statusCode).toBe(200);
    expect((await old.get('/facilities')).statusCode).toBe(200);
    const listedOld = (await t.admin.get('/api-keys')).json().items.find((k: { id: string }) => k.id === old.keyId);
    expect(listedOld).toMatchObject({ status: 'rotating', graceEndsAt: expect.any(String) });
    // A key in its grace period cannot be rotated again: its successor is the one to rotate.
    expect(expectProblem(await t.admin.post(`/api-keys/${old.keyId}/rotation`, { reason: 'again' }), 409, 'invalid_state').currentStatus).toBe('rotating');
    await sleep(Math.max(0, new Date(listedOld.graceEndsAt).getTime() - Date.now()) + 50);
    expect(expectProblem(await old.get('/facilities'), 401, 'unauthenticated').detail).toMatch(/rotated/);
    expect((await t.as(successor.key).get('/facilities')).statusCode).toBe(200);
    const events = (await t.admin.get(`/audit-events?entityType=api_key&entityId=${old.keyId}`)).json().items.map((e: { action: string }) => e.action);
    expect(events).toContain('api_key.rotated');
  });

  it('rotates with no grace at once for a lost key; only the holder or an admin may rotate; the grace has a ceiling [REQ-ACCESS-04]', async () => {
    const lost = await t.keyFor('coordinator', { holderName: 'Lost Key' });
    const other = await t.keyFor('coordinator', { holderName: 'Someone Else' });
    expectProblem(await other.post(`/api-keys/${lost.keyId}/rotation`, { reason: 'not mine' }), 403, 'forbidden');
    expectProblem(await t.admin.post(`/api-keys/${lost.keyId}/rotation`, { reason: 'long', graceSeconds: 3601 }), 422, 'rule_violation');
    const replacement = (await t.admin.post(`/api-keys/${lost.keyId}/rotation`, { reason: 'reported lost', graceSeconds: 0 })).json();
    expect(expectProblem(await lost.get('/facilities'), 401, 'unauthenticated').detail).toMatch(/rotated/);
    expect((await t.as(replacement.key).get('/facilities')).statusCode).toBe(200);
  });

  it('writes lastUsedAt on use, at most once a minute per key', async () => {
    const user = await t.keyFor('auditor', { holderName: 'Usage Hint' });
    const row = () => t.database.prisma.apiKey.findUniqueOrThrow({ where: { id: user.keyId } });
    expect((await row()).lastUsedAt).toBeNull();
    await user.get('/facilities');
    const first = (await row()).lastUsedAt;
    expect(first).not.toBeNull();
    await user.get('/facilities');
    await user.get('/facilities');
    expect((await row()).lastUsedAt).toEqual(first);
    const listed = (await t.admin.get('/api-keys')).json().items.find((k: { id: string }) => k.id === user.keyId);
    expect(listed.lastUsedAt).toBe(first!.toISOString());
  });
});

describe.each(engines)('failed authentication limits on %s', (engine) => {
  let t: TestApp;
  const WINDOW_SECONDS = 2;
  beforeAll(async () => {
    t = await startTestApp(engine, { env: { AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW_SECONDS: String(WINDOW_SECONDS) } });
  });
  afterAll(async () => t?.close());

  const from = (remoteAddress: string, key: string | null) =>
    t.app.inject({ method: 'GET', url: '/facilities', remoteAddress, headers: key ? { authorization: `Bearer ${key}` } : {} });

  it('answers 429 with Retry-After after the configured failures from one address, audits it, alerts admins, and clears after the window [REQ-ACCESS-04]', async () => {
    const good = await t.keyFor('auditor', { holderName: 'Same Address' });
    // Three unknown keys, each with a prefix of its own: only the address reaches the limit.
    for (let i = 0; i < 3; i++) expectProblem(await from('198.51.100.7', generateApiKey()), 401, 'unauthenticated');
    // The limit is used up: nothing more from that address is evaluated, a good key included.
    const limited = await from('198.51.100.7', good.key);
    const body = expectProblem(limited, 429, 'too_many_requests');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(body.retryAfterSeconds).toBe(retryAfter);
    // Other addresses are not affected.
    expect((await from('198.51.100.8', good.key)).statusCode).toBe(200);

    const events = (await t.admin.get('/audit-events?action=authentication.failures_exceeded')).json().items;
    expect(events).toEqual([expect.objectContaining({ entityType: 'client', entityId: 'address 198.51.100.7', after: { subject: 'address 198.51.100.7', failures: 3, windowSeconds: WINDOW_SECONDS } })]);
    const alerts = (await t.admin.get('/security-alerts?open=true')).json().items;
    expect(alerts).toEqual([expect.objectContaining({ kind: 'authentication_failures', subject: 'address 198.51.100.7', acknowledgedAt: null })]);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    expect((await from('198.51.100.7', good.key)).statusCode).toBe(200);
    expectProblem(await from('198.51.100.7', null), 401, 'unauthenticated');
  });

  it('limits failures per key prefix across addresses, and admins acknowledge the alert [REQ-ACCESS-04]', async () => {
    const target = await t.keyFor('auditor', { holderName: 'Guessed Prefix' });
    const guess = (i: number) => `${target.key.slice(0, 12)}${'g'.repeat(39)}${i}`;
    for (let i = 0; i < 3; i++) expectProblem(await from(`203.0.113.${i + 1}`, guess(i)), 401, 'unauthenticated');
    const limited = await from('203.0.113.50', target.key);
    expect(expectProblem(limited, 429, 'too_many_requests').detail).toContain(`key prefix ${target.key.slice(0, 12)}`);
    const alert = (await t.admin.get('/security-alerts?open=true')).json().items.find((a: { subject: string }) => a.subject === `key prefix ${target.key.slice(0, 12)}`);
    expect(alert).toBeDefined();
    const ack = await t.admin.post(`/security-alerts/${alert.id}/acknowledgement`, { note: 'Prefix guessed from a scanner; key rotated.' });
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json()).toMatchObject({ acknowledgementNote: 'Prefix guessed from a scanner; key rotated.', acknowledgedAt: expect.any(String) });
    expectProblem(await t.admin.post(`/security-alerts/${alert.id}/acknowledgement`, { note: 'again' }), 409, 'invalid_state');
    expect((await t.admin.get('/security-alerts?open=false')).json().items.map((a: { id: string }) => a.id)).toContain(alert.id);
    // Alerts are the admins' to acknowledge; auditors read them.
    const auditor = await t.keyFor('auditor', { holderName: 'Alert Reader' });
    expect((await auditor.get('/security-alerts')).statusCode).toBe(200);
    expectProblem(await auditor.post(`/security-alerts/${alert.id}/acknowledgement`, { note: 'x' }), 403, 'forbidden');
  });
});
