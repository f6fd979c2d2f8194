// The auditor's verifier (scripts/verify-log.mjs), run as an auditor would: a separate process
// that reaches the service over HTTP and keeps its state in a file.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

const run = promisify(execFile);

describe.each(engines)('npm run verify-log against the service on %s', (engine) => {
  let t: TestApp;
  let url: string;
  let dir: string;
  let auditorKey: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    dir = await mkdtemp(join(tmpdir(), 'verify-log-'));
    auditorKey = (await t.keyFor('auditor')).key;
  });
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const verifyLog = async (...extra: string[]) => {
    try {
      const { stdout } = await run(process.execPath, ['scripts/verify-log.mjs', '--url', url, '--key', auditorKey, '--state', join(dir, 'state.json'), ...extra]);
      return { code: 0, stdout };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: `${failed.stdout}${failed.stderr}` };
    }
  };

  it('pins the key, checks the signed head, inclusion of sampled events and the whole root, then consistency with the saved head on the next run [REQ-AUDIT-04]', async () => {
    for (let i = 0; i < 30; i++) await t.admin.post('/facilities', { kind: 'clinic', name: `Audited ${i}` });
    const first = await verifyLog('--full', '--sample', '5', '--seq', '1,2,3');
    expect(first.code, first.stdout).toBe(0);
    expect(first.stdout).toMatch(/pinned the log key on first use/);
    expect(first.stdout).toMatch(/recomputed the root from all \d+ events/);
    expect(first.stdout).toMatch(/event 1 \(.+\) is in the head/);

    for (let i = 0; i < 40; i++) await t.admin.post('/facilities', { kind: 'hospital', name: `Later ${i}` });
    const second = await verifyLog('--sample', '3');
    expect(second.code, second.stdout).toBe(0);
    expect(second.stdout).toMatch(/consistent with the head saved .*: \d+ → \d+ events/);
  });

  it('fails when an event was changed behind the database’s back, and keeps the saved head', async () => {
    const { prisma } = t.database;
    await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete`);
      await tx.$executeRawUnsafe(`UPDATE audit_event SET reason = 'rewritten' WHERE seq = 5`);
      await tx.$executeRawUnsafe(`ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete`);
    });
    const result = await verifyLog('--seq', '5', '--sample', '0');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL {2}event 5: its content does not hash to its leaf/);
    expect(result.stdout).toMatch(/saved head was left as it was/);
  });

  it('refuses a key other than the pinned one', async () => {
    const result = await verifyLog('--public-key', 'other.example/log+00000000+' + Buffer.concat([Buffer.from([1]), Buffer.alloc(32, 9)]).toString('base64'), '--sample', '0');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/not the pinned|not validly signed/);
  });
});
