import { generateKeyPairSync } from 'node:crypto';
// Authenticated keys are remembered for KEY_CACHE_TTL_MS so that a request costs no key lookup;
// a revocation or rotation is refused at once by the instance that records it, and by every other
// instance on the same PostgreSQL database as soon as its NOTIFY arrives (well within the TTL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/database.ts';
import { createServices } from '../src/domain/services.ts';
import { KEY_CACHE_TTL_MS } from '../src/domain/auth/api-keys.ts';
import { systemActor } from '../src/domain/shared/context.ts';
import { engines, scratchDatabase } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { signingKeyFrom } from '../src/domain/audit/signing.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(engines)('the API key cache on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t.close());

  it('refuses a revoked key at once on the instance that revoked it, though it was just used [REQ-PERF-02]', async () => {
    const key = await t.keyFor('auditor', { holderName: 'Cached Auditor' });
    expect((await key.get('/facilities')).statusCode).toBe(200);
    expect((await key.get('/facilities')).statusCode).toBe(200);
    expect((await t.admin.post(`/api-keys/${key.keyId}/revocation`, { reason: 'left the company' })).statusCode).toBe(200);
    expect(expectProblem(await key.get('/facilities'), 401, 'unauthenticated').detail).toMatch(/revoked/);
  });

  it('refuses a key rotated with no grace at once, though it was just used [REQ-PERF-02]', async () => {
    const key = await t.keyFor('coordinator', { holderName: 'Cached Coordinator' });
    expect((await key.get('/facilities')).statusCode).toBe(200);
    expect((await t.admin.post(`/api-keys/${key.keyId}/rotation`, { reason: 'lost', graceSeconds: 0 })).statusCode).toBe(201);
    expect(expectProblem(await key.get('/facilities'), 401, 'unauthenticated').detail).toMatch(/rotated/);
  });
});

describe.runIf(engines.includes('postgresql'))('the API key cache across instances on one PostgreSQL database', () => {
  let a: Database;
  let b: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const t = await startTestApp('postgresql');
    await t.close({ drop: false });
    drop = () => t.scratch.drop();
    [a, b] = [await openDatabase(t.scratch.target), await openDatabase(t.scratch.target)];
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  it(`hears another instance's revocation through NOTIFY, well before the cache's ${KEY_CACHE_TTL_MS / 1000} s run out [REQ-PERF-02]`, async () => {
    const auditLog = { signingKey: signingKeyFrom(generateKeyPairSync('ed25519').privateKey, 'cache-test.example/log'), intervalMs: 200 };
    const first = createServices(a, auditLog);
    const second = createServices(b, auditLog);
    const ctx = { actor: systemActor, requestId: 'cache-test' };
    // Let the second instance's listener connect.
    await sleep(500);
    const { key, id } = await first.apiKeys.create(ctx, { holderName: 'Shared Auditor', role: 'auditor' });
    expect(await second.apiKeys.authenticate(key)).toHaveProperty('actor');
    const revokedAt = Date.now();
    await first.apiKeys.revoke(ctx, id, 'compromised');
    let refused = await second.apiKeys.authenticate(key);
    while ('actor' in refused && Date.now() - revokedAt < KEY_CACHE_TTL_MS + 1000) {
      await sleep(20);
      refused = await second.apiKeys.authenticate(key);
    }
    expect(refused).toEqual({ refused: 'revoked' });
    expect(Date.now() - revokedAt).toBeLessThan(KEY_CACHE_TTL_MS / 2);
  });
});
