// REQUEST_TIMEOUT_MS bounds handler time too, waits for locks included: at the deadline the
// answer is 503 problem+json, and the command it interrupted never commits afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Deadline, DeadlineExceeded } from '../src/domain/shared/deadline.ts';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { auditEventsWritten } from './support/audit-counts.ts';

describe('a request deadline', () => {
  it('lets exactly one of "commit" and "answer 503" happen', () => {
    const committing = Deadline.after(1_000);
    committing.beginCommit();
    expect(committing.expire()).toBe(false); // a commit is under way: its answer follows
    committing.endCommit();

    const late = Deadline.after(1_000);
    expect(late.expire()).toBe(true);
    expect(() => late.beginCommit()).toThrow(DeadlineExceeded);

    const passed = new Deadline(Date.now() - 1);
    expect(() => passed.beginCommit()).toThrow(DeadlineExceeded);
    expect(passed.expired).toBe(true);
  });
});

describe.each(engines)('the handler deadline on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    // The audit sequencer shares PGlite's one connection: let it run seldom, so that only the lock held below delays the command.
    t = await startTestApp(engine, { env: { REQUEST_TIMEOUT_MS: '400', AUDIT_INTEGRATION_INTERVAL_MS: '1000' } });
  });
  afterAll(async () => t?.close());

  it('answers 503 when a command waits past REQUEST_TIMEOUT_MS for a lock, and never commits it afterwards', async () => {
    const second = await t.keyFor('admin', { holderName: 'Second admin' });
    const before = { audit: await auditEventsWritten(t.database.prisma), revoked: await t.database.prisma.apiKey.count({ where: { revokedAt: { not: null } } }) };
    // Hold the admin keys' rows (revocation locks them) for longer than the deadline.
    const release = await holdAdminKeys(t, 1_500);
    const started = Date.now();
    const res = await t.admin.post(`/api-keys/${second.keyId}/revocation`, { reason: 'slow' });
    const problem = expectProblem(res, 503, 'service_unavailable');
    expect(problem.detail).toMatch(/nothing was recorded/);
    expect(Date.now() - started).toBeLessThan(1_400);
    await release();
    await new Promise((r) => setTimeout(r, 300));
    expect(await t.database.prisma.apiKey.count({ where: { revokedAt: { not: null } } })).toBe(before.revoked);
    expect(await auditEventsWritten(t.database.prisma)).toBe(before.audit);
  });
});

/** Locks the admin key rows in a transaction of its own for `ms`; resolves to a function awaiting its end. */
async function holdAdminKeys(t: TestApp, ms: number): Promise<() => Promise<void>> {
  if (t.scratch.target.engine === 'postgresql') {
    const client = new pg.Client({ connectionString: t.scratch.target.url });
    await client.connect();
    await client.query('BEGIN');
    await client.query(`SELECT id FROM api_key WHERE role = 'admin' FOR UPDATE`);
    const done = new Promise<void>((r) => setTimeout(r, ms)).then(async () => {
      await client.query('ROLLBACK');
      await client.end();
    });
    return () => done;
  }
  // PGlite runs one transaction at a time: holding one open holds everything.
  let started!: () => void;
  const begun = new Promise<void>((r) => (started = r));
  const done = t.database.prisma.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT id FROM api_key WHERE role = 'admin' FOR UPDATE`;
      started();
      await new Promise((r) => setTimeout(r, ms));
    },
    { timeout: ms + 5_000 },
  );
  await begun;
  return async () => {
    await done;
  };
}
