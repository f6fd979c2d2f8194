import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { DataDirLockedError } from '../src/db/data-dir-lock.ts';
import { scratchDatabase, type ScratchDatabase } from './support/engines.ts';
import { startTestApp } from './support/test-app.ts';

describe('embedded PGlite data directory', () => {
  const scratches: ScratchDatabase[] = [];
  afterAll(async () => {
    for (const s of scratches) await s.drop();
  });

  it('keeps the data across a restart of the app', async () => {
    const scratch = await scratchDatabase('pglite');
    scratches.push(scratch);
    const first = await startTestApp('pglite', { scratch });
    const created = await first.admin.post('/facilities', { kind: 'tissue_bank', name: 'Persistent bank' });
    expect(created.statusCode).toBe(201);
    await first.close({ drop: false });

    const second = await startTestApp('pglite', { scratch, adminKey: first.adminKey });
    expect((await second.admin.get(`/facilities/${created.json().id}`)).json().name).toBe('Persistent bank');
    expect((await second.admin.get('/audit-events/verification')).json().intact).toBe(true);
    await second.close({ drop: false });
  });

  it('refuses a second process on a directory in use, with a clear message', async () => {
    const scratch = await scratchDatabase('pglite');
    scratches.push(scratch);
    if (scratch.target.engine !== 'pglite') throw new Error('unreachable');
    const db = await openDatabase(scratch.target);
    try {
      const child = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
        env: { ...process.env, DATA_DIR: scratch.target.dataDir, PORT: '0', LOG_LEVEL: 'silent', DATABASE_URL: '' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(child.status).toBe(3);
      expect(child.stderr).toMatch(/in use by another process \(pid \d+\)/);
      const refused = await openDatabase(scratch.target).then(() => null, (error: unknown) => error);
      expect(refused instanceof DataDirLockedError).toBe(true);
      // The holder was not disturbed.
      expect(await db.prisma.$queryRaw`SELECT 1 AS ok`).toEqual([{ ok: 1 }]);
    } finally {
      await db.close();
    }
  });

  it('takes over a lock left by a process that is gone', async () => {
    const scratch = await scratchDatabase('pglite');
    scratches.push(scratch);
    if (scratch.target.engine !== 'pglite') throw new Error('unreachable');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${scratch.target.dataDir}/allograft.lock`, '999999999\n');
    const db = await openDatabase(scratch.target);
    await db.close();
  });

  it('lets exactly one of several racing takers have a stale lock', async () => {
    const scratch = await scratchDatabase('pglite');
    scratches.push(scratch);
    if (scratch.target.engine !== 'pglite') throw new Error('unreachable');
    const { writeFile } = await import('node:fs/promises');
    const { lockDataDir } = await import('../src/db/data-dir-lock.ts');
    const dir = `${scratch.target.dataDir}/race`;
    for (let round = 0; round < 10; round++) {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(dir, { recursive: true });
      await writeFile(`${dir}/allograft.lock`, '999999999\n');
      // Each taker acts as another process would: the lock's own-pid shortcut is not at play,
      // because a second taker in this process sees our pid as held here.
      const results = await Promise.allSettled([lockDataDir(dir), lockDataDir(dir), lockDataDir(dir)]);
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DataDirLockedError);
      await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
    }
  });

  it('releases the data directory when the port is taken', async () => {
    const scratch = await scratchDatabase('pglite');
    scratches.push(scratch);
    if (scratch.target.engine !== 'pglite') throw new Error('unreachable');
    const { createServer } = await import('node:net');
    const { spawn } = await import('node:child_process');
    const { existsSync } = await import('node:fs');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
        env: { ...process.env, DATA_DIR: scratch.target.dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATABASE_URL: '' },
        stdio: 'ignore',
      });
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      expect(code).toBe(1);
      expect(existsSync(`${scratch.target.dataDir}/allograft.lock`)).toBe(false);
    } finally {
      blocker.close();
    }
  });
});
