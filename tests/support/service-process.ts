// The real service as a child process (src/server.ts), for tests that need a process to kill
// or to run twice: start it on a free port, wait until it answers, stop it or kill -9 it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { DatabaseTarget } from '../../src/config.ts';

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  url: string;
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** A port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** On PostgreSQL there is no data directory of the test's own: the audit log is signed with this test key. */
export const TEST_AUDIT_SIGNING_SEED = Buffer.alloc(32, 7).toString('base64');

export function databaseEnv(target: DatabaseTarget): Record<string, string> {
  return target.engine === 'pglite'
    ? { DATA_DIR: target.dataDir, DATABASE_URL: '' }
    : { DATABASE_URL: target.url, AUDIT_SIGNING_KEY: TEST_AUDIT_SIGNING_SEED };
}

export async function startService(env: Record<string, string>, { timeoutMs = 120_000 } = {}): Promise<ServiceProcess> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const service = { child, port, url: `http://127.0.0.1:${port}`, output: () => output, exited };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the service exited (${child.exitCode ?? child.signalCode}): ${output}`);
    const ok = await fetch(`${service.url}/health`).then((r) => r.ok, () => false);
    if (ok) return service;
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`the service did not answer within ${timeoutMs} ms: ${output}`);
}

/** kill -9: no graceful stop, no chance to flush anything. */
export async function killHard(service: ServiceProcess): Promise<void> {
  if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
  await service.exited;
}
