// The real server process: first start on an empty PGlite directory, then SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

function startServer(dataDir: string, port: number): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

async function waitForHealth(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('server did not become healthy');
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

describe('the server process on embedded PGlite', () => {
  let dataDir: string;
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('creates the first admin key once, keeps it out of the logs, and stops cleanly on SIGTERM', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'allograft-server-'));
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const { child, output } = startServer(dataDir, port);
    await waitForHealth(port, child);

    const keyFile = join(dataDir, 'initial-admin-key');
    const key = (await readFile(keyFile, 'utf8')).trim();
    expect(key).toMatch(/^atk_/);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const ready = await (await fetch(`http://127.0.0.1:${port}/ready`)).json();
    expect(ready).toMatchObject({ engine: 'pglite', durable: false });

    const res = await fetch(`http://127.0.0.1:${port}/facilities`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(existsSync(join(dataDir, 'allograft.lock'))).toBe(true);

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(existsSync(join(dataDir, 'allograft.lock'))).toBe(false);
    const logs = output();
    expect(logs).toMatch(/not an OS crash/);
    expect(logs).toMatch(/SIGTERM/);
    expect(logs).not.toContain(key);
    expect(logs).not.toContain(key.slice(4));

    // A second start finds the data and makes no new key.
    const again = startServer(dataDir, port);
    await waitForHealth(port, again.child);
    const stillWorks = await fetch(`http://127.0.0.1:${port}/facilities`, { headers: { authorization: `Bearer ${key}` } });
    expect(stillWorks.status).toBe(200);
    again.child.kill('SIGINT');
    expect(await exited(again.child)).toBe(0);
    expect(again.output()).not.toMatch(/Created the first admin API key/);
  }, 180_000); // two process starts: slow on a loaded machine
});
